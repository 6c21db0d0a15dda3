import assert from "node:assert/strict";
import type { ScrapedMatch } from "../live/validate.ts";
import { NotLeaderError } from "./fleet_broker.ts";
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

Deno.test({
  name: "createRedisOddsStore: a writer whose lease was taken over writes nothing",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("odds-fence");
    const ra = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const rb = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const leaseA = new SourceLease(ra, "demo", { ttlMs: 200 });
    const leaseB = new SourceLease(rb, "demo", { ttlMs: 200 });
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
      await until(() => leaseB.isLeader, 2000);
      await assert.rejects(a.put(scraped(2.2), new Date("2029-12-01T10:01:00Z")), NotLeaderError);
      await b.put(scraped(2.4), new Date("2029-12-01T10:02:00Z"));
      const stored = await b.get(scraped(0).id);
      assert.equal(stored?.quotes[0].odds.x12.home, 2.4);
      assert.deepEqual((await a.history(scraped(0).id)).map((h) => h.odds.x12.home), [2.0, 2.4]);
      // Both instances read the same store.
      assert.deepEqual(await a.get(scraped(0).id), stored);
    } finally {
      await Promise.all([leaseA.close(), leaseB.close()]);
      await deleteKeys(ra.redis, prefix);
      await Promise.all([ra.close(), rb.close()]);
    }
  },
});
