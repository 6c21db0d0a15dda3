import assert from "node:assert/strict";
import { openAlertEngine } from "../live/alerts.ts";
import { createLocalBroker } from "../live/broker.ts";
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
