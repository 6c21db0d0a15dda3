import assert from "node:assert/strict";
import type { LiveEvent, PublishedEvent } from "../live/live_event.ts";
import { FleetBroker } from "./fleet_broker.ts";
import { NotLeaderError } from "./not_leader.ts";
import type { FleetRedis } from "./redis_client.ts";
import { SourceLease } from "./source_lease.ts";
import {
  connectedClient,
  deleteKeys,
  REDIS_SERVER,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  until,
  withPrivateRedis,
} from "./test_redis.ts";

function oddsEvent(id: string, home = 2.1): LiveEvent {
  return {
    type: "odds",
    previous: null,
    match: {
      id,
      league: "epl",
      home_team: "Arsenal",
      away_team: "Chelsea",
      kickoff: "2030-01-01T15:00:00.000Z",
      source: "demo",
      odds: { x12: { home, draw: 3.4, away: 3.5 } },
      opening_odds: { x12: { home: 2.1, draw: 3.4, away: 3.5 } },
      updated_at: "2029-12-31T10:00:00.000Z",
      value_bets: [],
    },
  };
}

/** Two instances on one shared-Redis prefix, each with its broker. */
async function twoInstances(
  fn: (a: FleetBroker, b: FleetBroker, ra: FleetRedis, rb: FleetRedis) => Promise<void>,
  fenceOf?: (instance: "a" | "b") => (source: string) => number | null,
): Promise<void> {
  const prefix = testPrefix("fleet-broker");
  const ra = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix, instanceId: "a" });
  const rb = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix, instanceId: "b" });
  const a = await FleetBroker.open(ra, { checkIntervalMs: 100, fenceOf: fenceOf?.("a") });
  const b = await FleetBroker.open(rb, { checkIntervalMs: 100, fenceOf: fenceOf?.("b") });
  try {
    await fn(a, b, ra, rb);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await deleteKeys(ra.redis, prefix);
    await Promise.all([ra.close(), rb.close()]);
  }
}

Deno.test({
  name: "FleetBroker: an event published on one instance reaches both with the same event_id",
  ignore: !SHARED_REDIS,
  fn: () =>
    twoInstances(async (a, b) => {
      const got = { a: [] as PublishedEvent[], b: [] as PublishedEvent[] };
      a.subscribe((e) => got.a.push(e));
      b.subscribe((e) => got.b.push(e));
      for (let i = 0; i < 5; i++) await a.publish(oddsEvent(`m${i}`));
      await b.publish(oddsEvent("from-b"));
      await until(() => got.a.length === 6 && got.b.length === 6);
      assert.deepEqual(got.a.map((e) => e.event_id), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(got.b.map((e) => e.json), got.a.map((e) => e.json));
      assert.equal(JSON.parse(got.b[5].json).event_id, 6);
      assert.deepEqual(got.b[0].topics, ["match:m0", "league:epl", "matches"]);
      assert.equal(a.lastId(), 6);
      assert.equal(a.epoch(), b.epoch());
    }),
});

Deno.test({
  name: "FleetBroker: since() gives another instance's whole gap on the topics, in order",
  ignore: !SHARED_REDIS,
  fn: () =>
    twoInstances(async (a, b) => {
      for (let i = 1; i <= 6; i++) await a.publish(oddsEvent(i % 2 ? "odd" : "even"));
      await until(() => b.lastId() === 6);
      const r = await b.since(["match:odd"], 2, a.epoch());
      assert.equal(r.truncated, false);
      assert.equal(r.epoch, a.epoch());
      assert.deepEqual(r.events.map((e) => e.event_id), [3, 5]);
      const stale = await b.since(["match:odd"], 2, "another-epoch");
      assert.deepEqual(stale, { events: [], truncated: true, epoch: a.epoch() });
    }),
});

Deno.test({
  name: "FleetBroker: a publisher whose lease was taken over cannot publish with its old fence",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("fleet-fence");
    const ra = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix, instanceId: "a" });
    const rb = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix, instanceId: "b" });
    // 1 s: the leader renews every third; a stall of a busy machine past 133 ms lapsed 200 ms.
    const leaseA = new SourceLease(ra, "demo", { ttlMs: 1000 });
    const leaseB = new SourceLease(rb, "demo", { ttlMs: 1000 });
    // A paused process carries on with the token it read before the pause.
    let staleFenceOfA: number | null = null;
    const a = await FleetBroker.open(ra, { fenceOf: () => staleFenceOfA });
    const b = await FleetBroker.open(rb, { fenceOf: () => leaseB.fence });
    try {
      assert.ok(await leaseA.attempt());
      staleFenceOfA = leaseA.fence;
      await a.publish(oddsEvent("m", 2.0), { source: "demo" });
      await leaseA.stop();
      await until(() => !leaseA.isLeader, 10_000);
      await leaseB.start();
      await until(() => leaseB.isLeader, 10_000);
      await assert.rejects(a.publish(oddsEvent("m", 2.2), { source: "demo" }), NotLeaderError);
      await b.publish(oddsEvent("m", 2.4), { source: "demo" });
      const r = await b.stream.since(0, (await b.stream.position()).epoch);
      assert.ok(r.recovered);
      const homes = r.events.map((e) => JSON.parse(e.payload).e.match.odds.x12.home);
      assert.deepEqual(homes, [2.0, 2.4]);
      assert.equal(a.stats().fenced_out, 1);
      // An instance that leads no source publishes nothing of it.
      await assert.rejects(
        FleetBroker.open(ra, { fenceOf: () => null }).then(async (c) => {
          try {
            await c.publish(oddsEvent("m"), { source: "demo" });
          } finally {
            await c.close();
          }
        }),
        NotLeaderError,
      );
    } finally {
      await Promise.all([leaseA.close(), leaseB.close(), a.close(), b.close()]);
      await deleteKeys(ra.redis, prefix);
      await Promise.all([ra.close(), rb.close()]);
    }
  },
});

Deno.test({
  name: "FleetBroker: after FLUSHALL a replay of the old epoch is truncated with the new epoch",
  ignore: !REDIS_SERVER,
  fn: () =>
    withPrivateRedis(async (_server, redis) => {
      const broker = await FleetBroker.open(redis, { checkIntervalMs: 100 });
      try {
        await broker.publish(oddsEvent("m"));
        await until(() => broker.lastId() === 1);
        const old = broker.epoch();
        await redis.redis.flushall();
        await broker.publish(oddsEvent("m", 2.5));
        await until(() => broker.epoch() !== old && broker.lastId() === 1);
        const r = await broker.since(["matches"], 1, old);
        assert.deepEqual(r, { events: [], truncated: true, epoch: broker.epoch() });
      } finally {
        await broker.close();
      }
    }),
});
