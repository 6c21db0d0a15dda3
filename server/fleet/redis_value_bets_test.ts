import assert from "node:assert/strict";
import { fixtureMatch, predictionWithEdge } from "../live/event_fixtures.ts";
import type { PriceStamp } from "../live/shared_value_bets.ts";
import {
  currentValueBets,
  type OpenMatchBets,
  ValueBetTracker,
} from "../live/value_bet_tracker.ts";
import { createRedisValueBets } from "./redis_value_bets.ts";
import {
  connectedClient,
  deleteKeys,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
} from "./test_redis.ts";

/** A write of `open` (or of no open bet) from `revision` that announces events. */
function write(
  open: OpenMatchBets | null,
  revision: number,
  prices: PriceStamp = { src: 1 },
  announces = true,
) {
  const match = fixtureMatch();
  return { open: open ?? { match, bets: [] }, prices, revision, source: "src", announces };
}

Deno.test({
  name:
    "createRedisValueBets: the leader's open bets are every instance's, a new leader goes on from them, a stale token writes nothing",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("vbets");
    const ra = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const rb = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    try {
      await ra.redis.set("fence:src", "1");
      const leader = createRedisValueBets(ra, { fenceOf: () => 1 });
      const follower = createRedisValueBets(rb, { fenceOf: () => null });
      const view = fixtureMatch();
      const prediction = await predictionWithEdge(0.1);
      const tracker = new ValueBetTracker();
      const opened = tracker.update(view, prediction);
      assert.equal(opened.length, 1);
      assert.deepEqual(await leader.put(view.id, write(tracker.openOf(view.id), 0)), {
        outcome: "written",
        revision: 1,
      });
      const now = new Date(Date.parse(view.kickoff) - 60_000).toISOString();
      // The follower answers the leader's bets from Redis.
      const shared = currentValueBets(await follower.all(), now);
      assert.equal(shared.length, 1);
      assert.deepEqual(shared, tracker.current(now));
      // A follower holds no token: its write is refused before reaching Redis.
      assert.deepEqual(await follower.put(view.id, write(null, 1)), { outcome: "refused" });

      // Failover: a new leader restoring the stored bets announces nothing new at the same
      // prices, where a blank tracker would open the bet again.
      const stored = await follower.get(view.id);
      assert.deepEqual(stored.prices, { src: 1 });
      assert.equal(stored.revision, 1);
      const next = new ValueBetTracker();
      next.restore(view.id, stored.open);
      assert.deepEqual(next.update(view, prediction), []);
      assert.equal(new ValueBetTracker().update(view, prediction).length, 1);

      // The token moved on (a new leader took the lease): the old one's write is refused.
      await rb.redis.set("fence:src", "2");
      assert.deepEqual(await leader.put(view.id, write(null, 1)), { outcome: "refused" });
      assert.equal((await follower.all()).length, 1);
      const newLeader = createRedisValueBets(rb, { fenceOf: () => 2 });
      assert.deepEqual(await newLeader.put(view.id, write(null, 1, { src: 2 })), {
        outcome: "written",
        revision: 2,
      });
      // No bet open: nothing to answer, but the prices the bets were made from stay known.
      assert.deepEqual(await follower.all(), []);
      assert.deepEqual((await follower.get(view.id)).prices, { src: 2 });

      // Kicked-off matches are pruned, their revision with them.
      assert.equal(
        (await newLeader.put(view.id, write(tracker.openOf(view.id), 2, { src: 3 }))).outcome,
        "written",
      );
      await follower.prune(new Date(Date.parse(view.kickoff) + 1).toISOString());
      assert.deepEqual(await follower.all(), []);
      assert.deepEqual(await follower.get(view.id), { open: null, prices: {}, revision: 0 });
    } finally {
      await deleteKeys(ra.redis, prefix);
      await Promise.all([ra.close(), rb.close()]);
    }
  },
});

Deno.test({
  name:
    "createRedisValueBets: a write from a revision no longer stored, or from prices no newer than the stored bets', is refused with what is stored, in the one reply",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("vbets-cas");
    const ra = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    let commands = 0;
    const rb = await connectedClient(SHARED_REDIS_URL, {
      keyPrefix: prefix,
      hooks: { onCommand: (name) => void (name.startsWith("vbets_") && commands++) },
    });
    try {
      const a = createRedisValueBets(ra);
      const b = createRedisValueBets(rb);
      const view = fixtureMatch();
      const tracker = new ValueBetTracker();
      tracker.update(view, await predictionWithEdge(0.1));
      const open = tracker.openOf(view.id)!;
      assert.equal((await a.put(view.id, write(open, 0, { src: 1, other: 1 }))).outcome, "written");
      // B computed from the empty match: refused, and told what A stored.
      assert.deepEqual(await b.put(view.id, write(null, 0, { src: 2, other: 1 })), {
        outcome: "conflict",
        current: { open, prices: { src: 1, other: 1 }, revision: 1 },
      });
      assert.equal(commands, 1);
      // At the current revision, but from prices the stored bets include: refused too.
      assert.equal(
        (await b.put(view.id, write(null, 1, { src: 1, other: 1 }))).outcome,
        "conflict",
      );
      // A write announcing nothing keeps the revision: A's next write still lands.
      assert.deepEqual(await b.put(view.id, write(open, 1, { src: 2, other: 1 }, false)), {
        outcome: "written",
        revision: 1,
      });
      assert.deepEqual((await a.get(view.id)).prices, { src: 2, other: 1 });
      assert.deepEqual(await a.put(view.id, write(null, 1, { src: 2, other: 2 })), {
        outcome: "written",
        revision: 2,
      });
      // B's revision is out of date now: its write changes nothing.
      assert.equal(
        (await b.put(view.id, write(open, 1, { src: 3, other: 2 }))).outcome,
        "conflict",
      );
      assert.deepEqual(await a.all(), []);
    } finally {
      await deleteKeys(ra.redis, prefix);
      await Promise.all([ra.close(), rb.close()]);
    }
  },
});
