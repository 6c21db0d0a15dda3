import assert from "node:assert/strict";
import { openAlertEngine } from "../live/alerts.ts";
import { createLocalBroker, type LiveEvent, type PublishedEvent } from "../live/broker.ts";
import { createMemoryEventLog } from "../live/event_log.ts";
import { valueBetEvent } from "../live/event_fixtures.ts";
import type { Alert } from "../live/alert_book.ts";
import { createRedisAlertStorage } from "./redis_alert_store.ts";
import type { FleetRedis } from "./redis_client.ts";
import {
  connectedClient,
  deleteKeys,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  until,
} from "./test_redis.ts";

Deno.test({
  name: "createRedisAlertStorage: alerts stored by one instance are listed the same by another",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("alerts");
    const ra = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const rb = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const now = () => Date.parse("2029-12-31T12:00:00.000Z");
    const brokerA = createLocalBroker(createMemoryEventLog({ now }));
    const brokerB = createLocalBroker(createMemoryEventLog({ now }));
    const a = await openAlertEngine({
      broker: brokerA,
      storage: createRedisAlertStorage(ra),
      refreshMs: 50,
      now,
    });
    const b = await openAlertEngine({
      broker: brokerB,
      storage: createRedisAlertStorage(rb),
      refreshMs: 50,
      now,
    });
    try {
      // Two writers (leaders of two sources) on different matches: ids never collide.
      await brokerA.publish(valueBetEvent({ match_id: "m1", selection: "home", edge: 0.1 }));
      await brokerB.publish(valueBetEvent({ match_id: "m2", selection: "home", edge: 0.1 }));
      await brokerA.publish(
        valueBetEvent({ match_id: "m1", selection: "home", action: "update", odds: 2.5 }),
      );
      await until(() => a.list().alerts.length === 2 && b.list().alerts.length === 2, 5000);
      await until(() => b.list().alerts.find((x) => x.match_id === "m1")?.latest_odds === 2.5);
      assert.deepEqual(b.list(), a.list());
      assert.deepEqual(a.list().alerts.map((x) => x.id), [1, 2]);
      // A new instance loads them all.
      const c = await openAlertEngine({ storage: createRedisAlertStorage(ra) });
      assert.deepEqual(c.list(), a.list());
      await c.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
      await deleteKeys(ra.redis, prefix);
      await Promise.all([ra.close(), rb.close()]);
    }
  },
});

Deno.test({
  name: "createRedisAlertStorage: changes whose read failed are taken in by the next refresh",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("alerts-retry");
    const ra = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const rb = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    // The reader's connection fails the read of the changed alerts once, as during an outage.
    let failReads = 1;
    const flaky = {
      timed<T>(name: string, command: (r: typeof rb.redis) => Promise<T>): Promise<T> {
        if (name === "alerts_get" && failReads-- > 0) {
          return Promise.reject(new Error("Connection is closed."));
        }
        return rb.timed(name, command);
      },
    } as FleetRedis;
    try {
      const writer = createRedisAlertStorage(ra);
      const reader = createRedisAlertStorage(flaky);
      await reader.load();
      const alert = { id: 1, match_id: "m1", status: "open" } as Alert;
      await writer.save(alert, 1, []);
      await assert.rejects(reader.changes!(), /Connection is closed/);
      assert.deepEqual(await reader.changes!(), { alerts: [alert], dropped: [] });
      assert.deepEqual(await reader.changes!(), { alerts: [], dropped: [] });
    } finally {
      await deleteKeys(ra.redis, prefix);
      await Promise.all([ra.close(), rb.close()]);
    }
  },
});

/** The published form of a value-bet event, as a fleet instance hands it to its engine. */
function published(id: number, event: LiveEvent, fence?: number): PublishedEvent {
  return {
    event_id: id,
    topics: [],
    event,
    json: "",
    published_at: Date.parse("2029-12-31T12:00:00.000Z"),
    ...(fence === undefined ? {} : { fence: { source: "book-a", fence } }),
  };
}

Deno.test({
  name: "createRedisAlertStorage: a deposed leader's fencing token writes no alert",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("alerts-fence");
    const old = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix, instanceId: "old" });
    const next = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix, instanceId: "new" });
    const now = () => Date.parse("2029-12-31T12:00:00.000Z");
    const paused = await openAlertEngine({ storage: createRedisAlertStorage(old), now });
    const leader = await openAlertEngine({ storage: createRedisAlertStorage(next), now });
    const reader = createRedisAlertStorage(next);
    try {
      // The paused instance took the lease first (token 1); the new leader took it over (2).
      const first = await old.redis.incr("fence:book-a");
      await paused.handle(published(1, valueBetEvent({ selection: "home", edge: 0.1 }), first));
      assert.equal((await reader.load()).alerts.length, 1);
      const second = await next.redis.incr("fence:book-a");
      await leader.refresh();
      await leader.handle(
        published(2, valueBetEvent({ selection: "home", action: "update", odds: 2.6 }), second),
      );
      // The paused leader resumes with events it received under token 1: none is written.
      await paused.handle(
        published(3, valueBetEvent({ selection: "home", action: "update", odds: 9.9 }), first),
      );
      await paused.handle(published(4, valueBetEvent({ selection: "draw", edge: 0.2 }), first));
      const stored = (await reader.load()).alerts;
      assert.deepEqual(stored.map((a) => [a.selection, a.latest_odds]), [["home", 2.6]]);
      assert.equal(paused.refusedWrites, 2);
      assert.equal(leader.refusedWrites, 0);
      // Its book is not left with what the storage refused.
      assert.equal(paused.list().alerts.length, 1);
      await paused.refresh();
      assert.deepEqual(paused.list(), leader.list());
    } finally {
      await Promise.all([paused.close(), leader.close()]);
      await deleteKeys(old.redis, prefix);
      await Promise.all([old.close(), next.close()]);
    }
  },
});

Deno.test({
  name: "createRedisAlertStorage: a save guarded by a stale alert or token is refused",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("alerts-guard");
    const client = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const storage = createRedisAlertStorage(client);
    const engine = await openAlertEngine({
      storage,
      now: () => Date.parse("2029-12-31T12:00:00.000Z"),
    });
    try {
      await engine.handle(published(1, valueBetEvent({ selection: "home", edge: 0.1 })));
      const [alert] = engine.list().alerts;
      const changed = { ...alert, latest_odds: 3 };
      assert.equal(await storage.save(changed, 1, [], { expected: alert }), true);
      // Based on the copy before that change: refused.
      assert.equal(
        await storage.save({ ...alert, status: "closed" }, 1, [], { expected: alert }),
        false,
      );
      await client.redis.set("fence:book-a", "7");
      const fenced = (fence: number) => ({ fence: { source: "book-a", fence } });
      assert.equal(await storage.save({ ...changed, latest_odds: 4 }, 1, [], fenced(6)), false);
      assert.equal(await storage.save({ ...changed, latest_odds: 5 }, 1, [], fenced(7)), true);
      assert.deepEqual((await storage.load()).alerts.map((a) => [a.status, a.latest_odds]), [[
        "open",
        5,
      ]]);
    } finally {
      await engine.close();
      await deleteKeys(client.redis, prefix);
      await client.close();
    }
  },
});
