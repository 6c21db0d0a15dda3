import assert from "node:assert/strict";
import { FleetRedis } from "../fleet/redis_client.ts";
import {
  deleteKeys,
  QUIET_LOGGER,
  REDIS_SERVER,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  until,
  withPrivateRedis,
} from "../fleet/test_redis.ts";
import { RedisRateLimitStore } from "./redis_store.ts";

Deno.test({
  name: "RedisRateLimitStore: 300 concurrent hits from 3 instances admit exactly 100 of limit 100",
  ignore: !SHARED_REDIS,
  async fn() {
    const keyPrefix = testPrefix("rl");
    const clients = [1, 2, 3].map((i) =>
      new FleetRedis({
        url: SHARED_REDIS_URL,
        keyPrefix,
        instanceId: `i${i}`,
        logger: QUIET_LOGGER,
      })
    );
    const stores = clients.map((c) => new RedisRateLimitStore(c, { instances: () => 3 }));
    try {
      await until(() => clients.every((c) => c.isUp));
      const windowMs = 60_000;
      const windowStart = Math.floor(Date.now() / windowMs) * windowMs;
      const counts = await Promise.all(
        Array.from(
          { length: 300 },
          (_, i) => stores[i % 3].hit("203.0.113.7", windowStart, windowMs),
        ),
      );
      assert.equal(counts.filter((n) => n <= 100).length, 100);
      assert.deepEqual(
        [...counts].sort((a, b) => a - b),
        Array.from({ length: 300 }, (_, i) => i + 1),
      );
      assert.equal(stores.reduce((s, x) => s + x.fallbacks, 0), 0);
      const ttl = await clients[0].redis.pttl(`rl:${windowStart}:203.0.113.7`);
      assert.ok(ttl > 0 && ttl <= windowMs, `ttl ${ttl}`);
    } finally {
      for (const s of stores) s.close();
      await deleteKeys(clients[0].redis, keyPrefix);
      await Promise.all(clients.map((c) => c.close()));
    }
  },
});

Deno.test({
  name: "RedisRateLimitStore: answers from a scaled local window while Redis is down, then returns",
  ignore: !REDIS_SERVER,
  fn: () =>
    withPrivateRedis(async (server, client) => {
      const store = new RedisRateLimitStore(client, { instances: () => 3 });
      try {
        const windowMs = 60_000;
        const w = Math.floor(Date.now() / windowMs) * windowMs;
        assert.equal(await store.hit("a", w, windowMs), 1);
        assert.equal(await store.hit("a", w, windowMs), 2);
        await server.stop();
        // Whether the failure is seen by the command or by the connection first, hits answer.
        const during = [];
        for (let i = 0; i < 4; i++) during.push(await store.hit("b", w, windowMs));
        assert.deepEqual(during, [3, 6, 9, 12]);
        assert.equal(store.fallbacks, 4);
        assert.equal(client.status().fallbacks.rate_limit, 4);
        await server.start();
        const t0 = Date.now();
        await until(() => client.isUp, 5000);
        assert.ok(Date.now() - t0 < 5000);
        // A fresh server without persistence: the Redis count starts again at 1.
        assert.equal(await store.hit("b", w, windowMs), 1);
        assert.equal(store.fallbacks, 4);
      } finally {
        store.close();
      }
    }, { maxBackoffMs: 200 }),
});
