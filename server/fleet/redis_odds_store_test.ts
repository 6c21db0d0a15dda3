import assert from "node:assert/strict";
import type { ScrapedMatch } from "../live/validate.ts";
import { NotLeaderError } from "./not_leader.ts";
import { createRedisOddsStore } from "./redis_odds_store.ts";
import { SourceLease } from "./source_lease.ts";
import {
  connectedClient,
  deleteKeys,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  until,
} from "./test_redis.ts";

function scraped(home: number): ScrapedMatch {
  return {
    id: "epl:2030-01-01:arsenal:chelsea",
    league: "epl",
    home_team: "Arsenal",
    away_team: "Chelsea",
    kickoff: "2030-01-01T15:00:00.000Z",
    source: "demo",
    odds: { x12: { home, draw: 3.4, away: 3.6 } },
  };
}

/** Two instances on one key prefix, each with a short lease of the `demo` source. */
async function twoInstances(name: string) {
  const prefix = testPrefix(name);
  const ra = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
  const rb = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
  // 1 s: the leader renews every third; a stall of a busy machine past 133 ms lapsed 200 ms.
  const leaseA = new SourceLease(ra, "demo", { ttlMs: 1000 });
  const leaseB = new SourceLease(rb, "demo", { ttlMs: 1000 });
  const close = async () => {
    await Promise.all([leaseA.close(), leaseB.close()]);
    await deleteKeys(ra.redis, prefix);
    await Promise.all([ra.close(), rb.close()]);
  };
  return { ra, rb, leaseA, leaseB, close };
}

Deno.test({
  name: "createRedisOddsStore: a writer whose lease was taken over writes nothing",
  ignore: !SHARED_REDIS,
  async fn() {
    const { ra, rb, leaseA, leaseB, close } = await twoInstances("odds-fence");
    // The token a paused leader read before its pause.
    let staleA: number | null = null;
    const a = createRedisOddsStore(ra, { fenceOf: () => staleA });
    const b = createRedisOddsStore(rb, { fenceOf: () => leaseB.fence });
    try {
      assert.ok(await leaseA.attempt());
      staleA = leaseA.fence;
      await a.put(scraped(2.0), new Date("2029-12-01T10:00:00Z"));
      await leaseA.stop();
      await leaseB.start();
      await until(() => leaseB.isLeader, 10_000);
      await assert.rejects(a.put(scraped(2.2), new Date("2029-12-01T10:01:00Z")), NotLeaderError);
      await b.put(scraped(2.4), new Date("2029-12-01T10:02:00Z"));
      const stored = await b.get(scraped(0).id);
      assert.equal(stored?.quotes[0].odds.x12.home, 2.4);
      assert.deepEqual((await a.history(scraped(0).id)).map((h) => h.odds.x12.home), [2.0, 2.4]);
      // Both instances read the same store.
      assert.deepEqual(await a.get(scraped(0).id), stored);
    } finally {
      await close();
    }
  },
});

Deno.test({
  name: "createRedisOddsStore: every book of a source is fenced by the source's one lease",
  ignore: !SHARED_REDIS,
  async fn() {
    const { ra, rb, leaseA, leaseB, close } = await twoInstances("odds-book-fence");
    const asked: string[] = [];
    let staleA: number | null = null;
    const a = createRedisOddsStore(ra, { fenceOf: (s) => (asked.push(s), staleA) });
    const b = createRedisOddsStore(rb, { fenceOf: (s) => (s === "demo" ? leaseB.fence : null) });
    const book = (name: string, home: number) => ({
      ...scraped(home),
      source: `demo/${name}`,
      feed: "demo",
    });
    try {
      assert.ok(await leaseA.attempt());
      staleA = leaseA.fence;
      await a.put(book("pinnacle", 2.0), new Date("2029-12-01T10:00:00Z"));
      await a.put(book("bet365", 2.1), new Date("2029-12-01T10:00:00Z"));
      assert.deepEqual(asked, ["demo", "demo"], "the lease asked is the scrape source's");
      await leaseA.stop();
      await leaseB.start();
      await until(() => leaseB.isLeader, 10_000);
      await assert.rejects(
        a.put(book("bet365", 2.3), new Date("2029-12-01T10:01:00Z")),
        NotLeaderError,
      );
      await b.put(book("pinnacle", 2.4), new Date("2029-12-01T10:02:00Z"));
      const stored = await b.get(scraped(0).id);
      assert.deepEqual(
        stored?.quotes.map((q) => `${q.source} ${q.odds.x12.home}`).sort(),
        ["demo/bet365 2.1", "demo/pinnacle 2.4"],
      );
    } finally {
      await close();
    }
  },
});

Deno.test({
  name: "createRedisOddsStore: a scrape that changes nothing costs one round trip",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("odds-put");
    const commands: string[] = [];
    const client = await connectedClient(SHARED_REDIS_URL, {
      keyPrefix: prefix,
      hooks: { onCommand: (name) => name !== "ping" && commands.push(name) },
    });
    const lease = new SourceLease(client, "demo", { ttlMs: 5000 });
    const store = createRedisOddsStore(client, { fenceOf: () => lease.fence });
    try {
      assert.ok(await lease.attempt());
      commands.length = 0;
      const first = await store.put(scraped(2.0), new Date("2029-12-01T10:00:00Z"));
      assert.deepEqual(commands.splice(0), ["odds_get", "odds_put"]);
      assert.deepEqual(first.match, await store.get(first.match.id));
      commands.length = 0;
      const same = await store.put(scraped(2.001), new Date("2029-12-01T10:01:00Z"));
      assert.deepEqual(commands.splice(0), ["odds_get"]);
      assert.equal(same.changed, false);
      assert.deepEqual(same.previous, scraped(2.0).odds);
      assert.deepEqual(same.match, first.match);
      const moved = await store.put(scraped(2.2), new Date("2029-12-01T10:02:00Z"));
      assert.deepEqual(commands.splice(0), ["odds_get", "odds_put"]);
      assert.equal(moved.changed, true);
      assert.deepEqual(moved.match, await store.get(first.match.id));
      assert.equal(moved.match.quotes[0].odds.x12.home, 2.2);
      // A moved kick-off is written though no price moved.
      const later = { ...scraped(2.2), kickoff: "2030-01-01T17:30:00.000Z" };
      const rescheduled = await store.put(later, new Date("2029-12-01T10:03:00Z"));
      assert.equal(rescheduled.changed, false);
      assert.equal((await store.get(first.match.id))?.kickoff, later.kickoff);
      assert.deepEqual((await store.history(first.match.id)).map((h) => h.odds.x12.home), [
        2.0,
        2.2,
      ]);
    } finally {
      await lease.close();
      await deleteKeys(client.redis, prefix);
      await client.close();
    }
  },
});

Deno.test({
  name: "createRedisOddsStore: a stale lease is refused even when no price moved",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("odds-stale");
    const client = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const lease = new SourceLease(client, "demo", { ttlMs: 5000 });
    let fence: number | null = null;
    const store = createRedisOddsStore(client, { fenceOf: () => fence });
    try {
      assert.ok(await lease.attempt());
      fence = lease.fence;
      await store.put(scraped(2.0), new Date("2029-12-01T10:00:00Z"));
      // Another instance took the lease over: the token moved on.
      await client.redis.incr("fence:demo");
      await assert.rejects(
        store.put(scraped(2.0), new Date("2029-12-01T10:01:00Z")),
        NotLeaderError,
      );
    } finally {
      await lease.close();
      await deleteKeys(client.redis, prefix);
      await client.close();
    }
  },
});

Deno.test({
  name: "createRedisOddsStore: history and cleanup are one command each, whatever the sources",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("odds-many");
    const commands: string[] = [];
    const client = await connectedClient(SHARED_REDIS_URL, {
      keyPrefix: prefix,
      hooks: { onCommand: (name) => name !== "ping" && commands.push(name) },
    });
    const store = createRedisOddsStore(client, { keepAfterKickoffMs: 0 });
    try {
      const ids = ["epl:a", "epl:b", "epl:c"];
      for (const [i, id] of ids.entries()) {
        for (const source of ["s1", "s2", "s3"]) {
          const m = { ...scraped(2.0 + i), id, source };
          await store.put(m, new Date("2029-12-01T10:00:00Z"));
          await store.put(
            { ...m, odds: { x12: { home: 5, draw: 3.4, away: 3.6 } } },
            new Date("2029-12-01T10:01:00Z"),
          );
        }
      }
      commands.length = 0;
      const history = await store.history("epl:b");
      assert.deepEqual(commands.splice(0), ["odds_history"]);
      assert.deepEqual(history.map((h) => `${h.source}:${h.odds.x12.home}`).sort(), [
        "s1:3",
        "s1:5",
        "s2:3",
        "s2:5",
        "s3:3",
        "s3:5",
      ]);
      assert.equal((await store.history("epl:b", { source: "s2" })).length, 2);
      commands.length = 0;
      assert.equal(await store.cleanup(new Date("2030-01-02T00:00:00Z")), 3);
      assert.deepEqual(commands.splice(0), ["odds_cleanup"]);
      assert.deepEqual(await client.redis.keys(`${prefix}*`), []);
      assert.deepEqual(await store.history("epl:b"), []);
    } finally {
      await deleteKeys(client.redis, prefix);
      await client.close();
    }
  },
});
