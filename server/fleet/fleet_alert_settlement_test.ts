import assert from "node:assert/strict";
import { type AlertEngine, openAlertEngine } from "../live/alerts.ts";
import type { PublishedEvent } from "../live/broker.ts";
import { valueBetEvent } from "../live/event_fixtures.ts";
import type { FleetRedis } from "./redis_client.ts";
import { createRedisAlertStorage } from "./redis_alert_store.ts";
import { SourceLease } from "./source_lease.ts";
import {
  connectedClient,
  deleteKeys,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  until,
} from "./test_redis.ts";

const KICKOFF = Date.parse("2030-01-01T15:00:00.000Z");
const SELECTIONS = ["home", "draw", "away"];

interface Instance {
  client: FleetRedis;
  engine: AlertEngine;
  lease?: SourceLease;
}

/** Three instances on one Redis, one of which stored an alert per selection of two matches. */
async function fleetWithAlerts(prefix: string, withLease: boolean) {
  const clock = { now: KICKOFF - 3600_000 };
  const instances: Instance[] = [];
  for (const id of ["a", "b", "c"]) {
    const client = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix, instanceId: id });
    const lease = withLease ? new SourceLease(client, "settle", { ttlMs: 2000 }) : undefined;
    await lease?.start();
    const engine = await openAlertEngine({
      storage: createRedisAlertStorage(client),
      settleLease: lease,
      refreshMs: 20,
      now: () => clock.now,
      closingOdds: () => Promise.resolve({ x12: { home: 2, draw: 4, away: 4 } }),
      result: () => Promise.resolve({ home_goals: 2, away_goals: 0 }),
    });
    instances.push({ client, engine, lease });
  }
  let id = 0;
  for (const match_id of ["m1", "m2"]) {
    for (const selection of SELECTIONS) {
      const event: PublishedEvent = {
        event_id: ++id,
        topics: [],
        event: valueBetEvent({ match_id, selection, edge: 0.1 }),
        json: "",
        published_at: clock.now,
      };
      await instances[0].engine.handle(event);
    }
  }
  await until(() => instances.every((i) => i.engine.list().alerts.length === 6), 5000);
  return { clock, instances };
}

async function closeAll(prefix: string, instances: Instance[]): Promise<void> {
  for (const i of instances) {
    await i.engine.close();
    await i.lease?.close();
  }
  await deleteKeys(instances[0].client.redis, prefix);
  await Promise.all(instances.map((i) => i.client.close()));
}

/** The alerts as Redis holds them. */
async function stored(client: FleetRedis) {
  return (await createRedisAlertStorage(client).load()).alerts.sort((a, b) => a.id - b.id);
}

Deno.test({
  name: "alert settlement in the fleet: each alert is settled once, by the lease holder",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("settle-lease");
    const { clock, instances } = await fleetWithAlerts(prefix, true);
    try {
      const holders = instances.filter((i) => i.lease!.isLeader);
      assert.equal(holders.length, 1, "one instance holds the settlement lease");
      clock.now = KICKOFF + 60_000;
      // Every instance's settle loop fires, several times.
      const changes: number[] = [];
      for (let round = 0; round < 3; round++) {
        changes.push(...await Promise.all(instances.map((i) => i.engine.settle())));
      }
      assert.equal(changes.reduce((a, b) => a + b, 0), 6, `changes per call: ${changes}`);
      const alerts = await stored(instances[0].client);
      assert.ok(alerts.every((a) => a.status === "closed" && a.clv_status === "recorded"));
      assert.deepEqual(alerts.map((a) => a.result), ["won", "lost", "lost", "won", "lost", "lost"]);

      // The holder stops: another instance takes the lease and finds nothing left to settle.
      await holders[0].lease!.close();
      const others = instances.filter((i) => i !== holders[0]);
      await until(() => others.some((i) => i.lease!.isLeader), 5000);
      const after = await Promise.all(others.map((i) => i.engine.settle()));
      assert.deepEqual(after, [0, 0]);
      assert.deepEqual(await stored(instances[0].client), alerts);
    } finally {
      await closeAll(prefix, instances);
    }
  },
});

Deno.test({
  name: "alert settlement in the fleet: concurrent settlers without a lease still settle once",
  ignore: !SHARED_REDIS,
  async fn() {
    // What a lease handover can lead to: two instances settling from the same copy at once.
    const prefix = testPrefix("settle-cas");
    const { clock, instances } = await fleetWithAlerts(prefix, false);
    try {
      clock.now = KICKOFF + 60_000;
      const changes = await Promise.all(instances.map((i) => i.engine.settle()));
      assert.equal(changes.reduce((a, b) => a + b, 0), 6, `changes per instance: ${changes}`);
      // The losers' writes were refused (or they had taken in the winner's first).
      assert.ok(instances.reduce((n, i) => n + i.engine.refusedWrites, 0) <= 12);
      const results = await Promise.all(
        instances.map((i) => i.engine.recordResult("m1", { home_goals: 0, away_goals: 0 })),
      );
      assert.deepEqual(results, [0, 0, 0], "already settled: a later result changes nothing");
      await until(() => instances.every((i) => i.engine.list().alerts.every((a) => a.result)));
      const alerts = await stored(instances[0].client);
      for (const i of instances) assert.deepEqual(i.engine.list().alerts, alerts);
    } finally {
      await closeAll(prefix, instances);
    }
  },
});
