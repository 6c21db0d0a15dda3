import assert from "node:assert/strict";
import {
  createKvOddsStore,
  createMemoryOddsStore,
  oddsChanged,
  type OddsStore,
  type OddsStoreOptions,
} from "./odds_store.ts";
import type { ScrapedMatch } from "./validate.ts";
import { createRedisOddsStore } from "../fleet/redis_odds_store.ts";
import {
  connectedClient,
  deleteKeys,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
} from "../fleet/test_redis.ts";

const T0 = new Date("2026-12-01T12:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function match(home: number, patch: Partial<ScrapedMatch> = {}): ScrapedMatch {
  return {
    id: "england-premier-league:2026-12-05:arsenal:chelsea",
    league: "england-premier-league",
    home_team: "Arsenal",
    away_team: "Chelsea",
    kickoff: "2026-12-05T15:00:00.000Z",
    source: "demo",
    odds: { x12: { home, draw: 3.4, away: 3.6 }, over_2_5: 1.9 },
    ...patch,
  };
}

function withStores(
  name: string,
  options: OddsStoreOptions,
  fn: (store: OddsStore) => Promise<void>,
) {
  Deno.test(`${name} (memory twin)`, () =>
    fn(createMemoryOddsStore({ now: () => T0, ...options })));
  Deno.test(`${name} (Deno KV)`, async () => {
    const kv = await Deno.openKv(":memory:");
    try {
      await fn(createKvOddsStore(kv, { now: () => T0, ...options }));
    } finally {
      kv.close();
    }
  });
  Deno.test({
    name: `${name} (Redis)`,
    ignore: !SHARED_REDIS,
    async fn() {
      const prefix = testPrefix("odds");
      const redis = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
      try {
        await fn(createRedisOddsStore(redis, { now: () => T0, ...options }));
      } finally {
        await deleteKeys(redis.redis, prefix);
        await redis.close();
      }
    },
  });
}

Deno.test("oddsChanged: moves under the tolerance are not changes", () => {
  const a = { x12: { home: 2, draw: 3, away: 4 } };
  assert.equal(oddsChanged(a, { x12: { home: 2.009, draw: 3, away: 4 } }), false);
  assert.equal(oddsChanged(a, { x12: { home: 2.01, draw: 3, away: 4 } }), true);
  assert.equal(oddsChanged(a, { ...a, btts_yes: 1.8 }), true);
  assert.equal(oddsChanged(a, { x12: { home: 2.04, draw: 3, away: 4 } }, 0.05), false);
});

withStores(
  "oddsStore: keeps the opening price and a timestamped history of changes",
  {},
  async (store) => {
    const first = await store.put(match(2.1), at(0));
    assert.equal(first.changed, true);
    assert.equal(first.previous, null);
    const same = await store.put(match(2.105), at(1));
    assert.equal(same.changed, false);
    assert.deepEqual(same.previous, match(2.1).odds);
    const moved = await store.put(match(2.2), at(2));
    assert.equal(moved.changed, true);
    assert.deepEqual(moved.previous, match(2.1).odds);
    await store.put(match(2.3), at(3));
    const got = await store.get(match(0).id);
    assert.ok(got);
    assert.equal(got.quotes.length, 1);
    assert.equal(got.quotes[0].odds.x12.home, 2.3);
    assert.equal(got.quotes[0].opening_odds.x12.home, 2.1);
    assert.equal(got.quotes[0].opened_at, at(0).toISOString());
    assert.equal(got.quotes[0].updated_at, at(3).toISOString());
    const history = await store.history(match(0).id);
    assert.deepEqual(history.map((h) => [h.at, h.odds.x12.home]), [
      [at(0).toISOString(), 2.1],
      [at(2).toISOString(), 2.2],
      [at(3).toISOString(), 2.3],
    ]);
    assert.equal(await store.get("nope"), null);
    assert.deepEqual(await store.history("nope"), []);
  },
);

withStores(
  "oddsStore: history is bounded per match and source",
  { historyPerSource: 3 },
  async (store) => {
    for (let i = 0; i < 10; i++) await store.put(match(2 + i / 10), at(i));
    await store.put(match(5, { source: "other" }), at(20));
    const history = await store.history(match(0).id, { source: "demo" });
    assert.deepEqual(history.map((h) => h.odds.x12.home), [2.7, 2.8, 2.9]);
    assert.equal((await store.history(match(0).id)).length, 4);
    const got = await store.get(match(0).id);
    assert.deepEqual(got?.quotes.map((q) => q.source), ["other", "demo"]);
    assert.equal(got?.quotes[1].opening_odds.x12.home, 2);
  },
);

withStores("oddsStore: upcoming filters by league and time, cleanup removes old matches", {
  keepAfterKickoffMs: 3_600_000,
}, async (store) => {
  await store.put(match(2), at(0));
  await store.put(
    match(2, {
      id: "spain-laliga:2026-12-04:getafe:sevilla",
      league: "spain-laliga",
      home_team: "Getafe",
      away_team: "Sevilla",
      kickoff: "2026-12-04T20:00:00.000Z",
    }),
    at(0),
  );
  await store.put(match(2, { id: "old", kickoff: "2026-12-01T09:00:00.000Z" }), at(0));
  assert.deepEqual((await store.upcoming()).map((m) => m.id), [
    "spain-laliga:2026-12-04:getafe:sevilla",
    match(0).id,
  ]);
  assert.deepEqual((await store.upcoming({ league: "england-premier-league" })).map((m) => m.id), [
    match(0).id,
  ]);
  assert.equal((await store.upcoming({ from: new Date(0), limit: 1 }))[0].id, "old");
  assert.equal(await store.cleanup(new Date("2026-12-01T09:59:00Z")), 0);
  assert.equal(await store.cleanup(new Date("2026-12-01T10:01:00Z")), 1);
  assert.equal(await store.get("old"), null);
  assert.deepEqual(await store.history("old"), []);
  assert.equal((await store.upcoming({ from: new Date(0) })).length, 2);
});
