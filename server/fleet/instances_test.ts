import assert from "node:assert/strict";
import { InstanceRegistry, LAST_COUNT_KEY } from "./instances.ts";
import { RedisRateLimitStore } from "../rate_limit/redis_store.ts";
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
    // A 1.5 s TTL beaten every 100 ms: a stall of a busy machine cannot expire a live one.
    const ra = new InstanceRegistry(a, { intervalMs: 100, ttlMs: 1500 });
    const rb = new InstanceRegistry(b, { intervalMs: 100, ttlMs: 1500 });
    const rc = new InstanceRegistry(c, { intervalMs: 100, ttlMs: 1500 });
    try {
      await until(() => a.isUp && b.isUp && c.isUp);
      assert.equal(ra.count(), 2, "before any heartbeat the instance assumes the expected size");
      await Promise.all([ra.start(), rb.start(), rc.start()]);
      await rc.beat();
      assert.deepEqual(rc.last.map((i) => i.instance_id), ["a", "b", "c"]);
      assert.equal(rc.count(), 3);
      await rb.close();
      assert.deepEqual((await ra.seen()).map((i) => i.instance_id), ["a", "c"]);
      // "c" stops without a goodbye (its connection is gone): its key expires after the TTL.
      await c.close();
      await rc.close();
      await until(() => ra.last.length === 1, 10_000);
      assert.deepEqual(ra.last.map((i) => i.instance_id), ["a"]);
      assert.equal(ra.count(), 1);
    } finally {
      await Promise.all([ra.close(), rb.close(), rc.close()]);
      await deleteKeys(a.redis, prefix);
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  },
});

/** A client whose Redis never answers (nothing listens on the port). */
function downClient(): FleetRedis {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return new FleetRedis({
    url: `redis://127.0.0.1:${port}`,
    keyPrefix: testPrefix("down"),
    instanceId: "late",
    logger: QUIET_LOGGER,
    maxBackoffMs: 200,
  });
}

Deno.test("InstanceRegistry: started while Redis is down, counts the expected fleet size", async (t) => {
  const client = downClient();
  const kv = await Deno.openKv(":memory:");
  try {
    await t.step("the hint when nothing was persisted (default 2)", async () => {
      const byDefault = new InstanceRegistry(client, { kv, intervalMs: 50 });
      const hinted = new InstanceRegistry(client, { kv, intervalMs: 50, expected: 4 });
      await Promise.all([byDefault.start(), hinted.start()]);
      assert.equal(byDefault.count(), 2);
      assert.equal(hinted.count(), 4);
      await Promise.all([byDefault.close(), hinted.close()]);
    });
    await t.step("the size a previous run saw, kept in KV, over the hint", async () => {
      await kv.set(LAST_COUNT_KEY, 3);
      const registry = new InstanceRegistry(client, { kv, intervalMs: 50, expected: 5 });
      await registry.start();
      assert.equal(registry.count(), 3);
      await registry.close();
    });
    await t.step("a rate limit then admits limit / that size on this instance", async () => {
      const registry = new InstanceRegistry(client, { kv, intervalMs: 50 });
      await registry.start();
      const store = new RedisRateLimitStore(client, { instances: () => registry.count() });
      try {
        const w = Math.floor(Date.now() / 60_000) * 60_000;
        const counts = [];
        for (let i = 0; i < 60; i++) counts.push(await store.hit("203.0.113.9", w, 60_000));
        // The middleware admits counts up to the limit: 100 / 3 instances -> 33 here.
        assert.equal(counts.filter((n) => n <= 100).length, 33);
        assert.equal(store.fallbacks, 60);
      } finally {
        store.close();
        await registry.close();
      }
    });
  } finally {
    kv.close();
    await client.close();
  }
});

Deno.test({
  name: "InstanceRegistry: persists the fleet size it sees for a start during an outage",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("instances-kv");
    const a = client(prefix, "a"), b = client(prefix, "b");
    const kv = await Deno.openKv(":memory:");
    const ra = new InstanceRegistry(a, { intervalMs: 100, ttlMs: 1500, kv });
    const rb = new InstanceRegistry(b, { intervalMs: 100, ttlMs: 1500 });
    try {
      await until(() => a.isUp && b.isUp);
      await rb.start();
      await ra.start();
      assert.equal(ra.count(), 2);
      assert.equal((await kv.get(LAST_COUNT_KEY)).value, 2);
    } finally {
      await Promise.all([ra.close(), rb.close()]);
      await deleteKeys(a.redis, prefix);
      await Promise.all([a.close(), b.close()]);
      kv.close();
    }
  },
});
