import assert from "node:assert/strict";
import { InstanceRegistry } from "./instances.ts";
import { FleetRedis } from "./redis_client.ts";
import {
  deleteKeys,
  QUIET_LOGGER,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  until,
} from "./test_redis.ts";

function client(keyPrefix: string, instanceId: string): FleetRedis {
  return new FleetRedis({ url: SHARED_REDIS_URL, keyPrefix, instanceId, logger: QUIET_LOGGER });
}

Deno.test({
  name: "InstanceRegistry: lists live instances; a closed one leaves, a silent one expires",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("instances");
    const a = client(prefix, "a"), b = client(prefix, "b"), c = client(prefix, "c");
    const ra = new InstanceRegistry(a, { intervalMs: 100, ttlMs: 300 });
    const rb = new InstanceRegistry(b, { intervalMs: 100, ttlMs: 300 });
    const rc = new InstanceRegistry(c, { intervalMs: 100, ttlMs: 300 });
    try {
      await until(() => a.isUp && b.isUp && c.isUp);
      assert.equal(ra.count(), 1, "before any heartbeat the instance counts itself");
      await Promise.all([ra.start(), rb.start(), rc.start()]);
      await rc.beat();
      assert.deepEqual(rc.last.map((i) => i.instance_id), ["a", "b", "c"]);
      assert.equal(rc.count(), 3);
      await rb.close();
      assert.deepEqual((await ra.seen()).map((i) => i.instance_id), ["a", "c"]);
      // "c" stops without a goodbye (its connection is gone): its key expires after the TTL.
      await c.close();
      await rc.close();
      await until(() => ra.last.length === 1, 2000);
      assert.deepEqual(ra.last.map((i) => i.instance_id), ["a"]);
      assert.equal(ra.count(), 1);
    } finally {
      await Promise.all([ra.close(), rb.close(), rc.close()]);
      await deleteKeys(a.redis, prefix);
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  },
});
