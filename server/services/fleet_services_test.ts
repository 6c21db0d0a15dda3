import assert from "node:assert/strict";
import { createTestApp } from "../testing/test_app.ts";
import { RedisRateLimitStore } from "../rate_limit/redis_store.ts";
import {
  connectedClient,
  deleteKeys,
  REDIS_SERVER,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  until,
  withPrivateRedis,
} from "../fleet/test_redis.ts";

const LIMITED = { RATE_LIMIT_REQUESTS: "2", TRUST_PROXY: "1" };
/**
 * Mid-window: on the real clock three requests that straddle a minute boundary count in two
 * windows and all pass.
 */
const MID_WINDOW = () => Date.UTC(2025, 0, 1, 12, 0, 30);
const CLIENT = { "x-forwarded-for": "198.51.100.4" };

Deno.test({
  name: "fleet services: /health shows Redis up and this instance; limits are counted in Redis",
  ignore: !SHARED_REDIS,
  async fn() {
    const keyPrefix = testPrefix("services");
    const fleet = await connectedClient(SHARED_REDIS_URL, { keyPrefix, instanceId: "svc-a" });
    const t = await createTestApp({ fleet, env: LIMITED, now: MID_WINDOW });
    try {
      assert.ok(t.services.rateLimitStore instanceof RedisRateLimitStore);
      await until(() => t.services.instances!.last.length === 1);
      const health = await (await t.app.request("/health")).json();
      const redis = health.components.redis;
      assert.equal(redis.status, "ok");
      assert.equal(redis.state, "up");
      assert.equal(redis.mode, "fleet");
      assert.equal(redis.instance_id, "svc-a");
      assert.deepEqual(redis.instances, ["svc-a"]);
      assert.equal(typeof redis.rtt_ms, "number");
      const ready = await (await t.app.request("/health/ready")).json();
      assert.equal(ready.ready, true);
      assert.equal(ready.degraded, false);

      const answers = [];
      for (let i = 0; i < 3; i++) {
        const res = await t.app.request("/api/v1/leagues", { headers: CLIENT });
        await res.body?.cancel();
        answers.push(res);
      }
      assert.deepEqual(answers.map((r) => r.status), [200, 200, 429]);
      // The same IETF fields as the embedded store.
      assert.equal(answers[0].headers.get("RateLimit-Policy"), '"default";q=2;w=60');
      assert.match(answers[1].headers.get("RateLimit") ?? "", /^"default";r=0;t=\d+$/);
      assert.ok(Number(answers[2].headers.get("Retry-After")) >= 1);
      const keys = await fleet.redis.keys(`${keyPrefix}rl:*`);
      assert.equal(keys.length, 1, "the window's counter is in Redis");
      assert.equal(await fleet.redis.get(keys[0].slice(keyPrefix.length)), "3");
    } finally {
      await t.close();
      await deleteKeys(fleet.redis, keyPrefix);
      await fleet.close();
    }
  },
});

Deno.test({
  name: "fleet services: Redis down leaves the instance ready, degraded, limiting locally",
  ignore: !REDIS_SERVER,
  fn: () =>
    withPrivateRedis(async (server, fleet) => {
      const t = await createTestApp({ fleet, env: LIMITED, now: MID_WINDOW });
      try {
        await until(() => t.services.instances!.last.length === 1);
        await server.stop();
        await until(() => !fleet.isUp);
        const ready = await t.app.request("/health/ready");
        assert.equal(ready.status, 200);
        const body = await ready.json();
        assert.equal(body.degraded, true);
        assert.match(body.checks.redis.detail, /degraded, serving with per-instance fallbacks/);

        const answers = [];
        for (let i = 0; i < 3; i++) {
          const res = await t.app.request("/api/v1/leagues", { headers: CLIENT });
          await res.body?.cancel();
          answers.push(res);
        }
        assert.deepEqual(answers.map((r) => r.status), [200, 200, 429], "one instance: all of it");
        assert.match(answers[0].headers.get("RateLimit") ?? "", /^"default";r=1;t=\d+$/);
        assert.ok(Number(answers[2].headers.get("Retry-After")) >= 1);
        const health = await t.app.request("/health");
        assert.equal(health.status, 200);
        const h = await health.json();
        assert.equal(h.status, "degraded");
        assert.equal(h.components.redis.status, "degraded");
        assert.equal(h.components.redis.fallbacks.rate_limit, 3);
        assert.ok(h.components.redis.last_error);
      } finally {
        await t.close();
      }
    }, { maxBackoffMs: 200, instanceId: "svc-b" }),
});

Deno.test("embedded services: the redis component reads disabled", async () => {
  const t = await createTestApp();
  try {
    const h = await (await t.app.request("/health")).json();
    const { instance_id, ...redis } = h.components.redis;
    assert.deepEqual(redis, {
      status: "ok",
      state: "disabled",
      mode: "embedded",
      address: null,
      rtt_ms: null,
      last_error: null,
      fallbacks: {},
    });
    assert.equal(typeof instance_id, "string");
    assert.equal((await (await t.app.request("/health/ready")).json()).degraded, false);
  } finally {
    await t.close();
  }
});
