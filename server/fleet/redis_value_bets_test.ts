import assert from "node:assert/strict";
import type { BookmakerPrices } from "../domain/bookmakers.ts";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import { fixtureMatch } from "../live/event_fixtures.ts";
import { currentValueBets, ValueBetTracker } from "../live/value_bet_tracker.ts";
import { createRedisValueBets } from "./redis_value_bets.ts";
import {
  connectedClient,
  deleteKeys,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
} from "./test_redis.ts";

/** A prediction with a home value bet of about `edge` (a slow book against Pinnacle's price). */
async function predictionWithEdge(edge: number) {
  const engine = createMemoryEngine();
  const request = { league: "EPL", home_team: "Arsenal", away_team: "Burnley" };
  const pinnacle: BookmakerPrices = { name: "Pinnacle", home: 1.5, draw: 4.4, away: 6.5 };
  const fair = (await engine.predict({ ...request, bookmakers: [pinnacle] })).probabilities;
  const slow: BookmakerPrices = {
    name: "Slow",
    home: (1 + edge) / fair.home_win,
    draw: 3,
    away: 4,
  };
  return await engine.predict({ ...request, bookmakers: [pinnacle, slow] });
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
      assert.ok(await leader.put(view.id, tracker.openOf(view.id), "src"));
      const now = new Date(Date.parse(view.kickoff) - 60_000).toISOString();
      // The follower answers the leader's bets from Redis.
      const shared = currentValueBets(await follower.all(), now);
      assert.equal(shared.length, 1);
      assert.deepEqual(shared, tracker.current(now));
      // A follower holds no token: its write is refused before reaching Redis.
      assert.equal(await follower.put(view.id, null, "src"), false);

      // Failover: a new leader restoring the stored bets announces nothing new at the same
      // prices, where a blank tracker would open the bet again.
      const next = new ValueBetTracker();
      next.restore(view.id, await follower.get(view.id));
      assert.deepEqual(next.update(view, prediction), []);
      assert.equal(new ValueBetTracker().update(view, prediction).length, 1);

      // The token moved on (a new leader took the lease): the old one's write is refused.
      await rb.redis.set("fence:src", "2");
      assert.equal(await leader.put(view.id, null, "src"), false);
      assert.equal((await follower.all()).length, 1);
      const newLeader = createRedisValueBets(rb, { fenceOf: () => 2 });
      assert.ok(await newLeader.put(view.id, null, "src"));
      assert.deepEqual(await follower.all(), []);

      // Kicked-off matches are pruned.
      assert.ok(await newLeader.put(view.id, tracker.openOf(view.id), "src"));
      await follower.prune(new Date(Date.parse(view.kickoff) + 1).toISOString());
      assert.deepEqual(await follower.all(), []);
    } finally {
      await deleteKeys(ra.redis, prefix);
      await Promise.all([ra.close(), rb.close()]);
    }
  },
});
