import assert from "node:assert/strict";
import { MemoryRateLimitStore } from "../rate_limit/memory_store.ts";
import { createTestApp } from "../testing/test_app.ts";

const CLIENT_A = { remoteAddr: { hostname: "10.0.0.1" } };
const CLIENT_B = { remoteAddr: { hostname: "10.0.0.2" } };
/** Mid-window: on the real clock a run that straddles a minute boundary gets a fresh budget. */
const MID_WINDOW = () => Date.UTC(2025, 0, 1, 12, 0, 30);

Deno.test("rateLimit: rejects the 101st request in a window, then the window resets", async () => {
  let now = Date.UTC(2025, 0, 1, 12, 0, 23); // 23 s into a minute window
  const t = await createTestApp({ now: () => now });
  try {
    for (let i = 1; i <= 100; i++) {
      const res = await t.app.request("/api/v1/leagues", {}, CLIENT_A);
      assert.equal(res.status, 200, `request ${i}`);
      await res.body?.cancel();
      if (i === 1) {
        assert.equal(res.headers.get("ratelimit-policy"), '"default";q=100;w=60');
        assert.equal(res.headers.get("ratelimit"), '"default";r=99;t=37');
        assert.equal(res.headers.get("x-ratelimit-remaining"), null, "legacy fields only on 429");
      }
    }
    const res = await t.app.request("/api/v1/leagues", {}, CLIENT_A);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "37");
    assert.equal(res.headers.get("ratelimit"), '"default";r=0;t=37');
    assert.equal(res.headers.get("ratelimit-policy"), '"default";q=100;w=60');
    assert.equal(res.headers.get("x-ratelimit-limit"), "100");
    const { error } = await res.json();
    assert.equal(error.code, "rate_limited");
    assert.equal(error.retry_after_seconds, 37);
    assert.ok(error.request_id);

    const other = await t.app.request("/api/v1/leagues", {}, CLIENT_B);
    assert.equal(other.status, 200, "another client has its own budget");
    await other.body?.cancel();

    const health = await t.app.request("/health/live", {}, CLIENT_A);
    assert.equal(health.status, 200, "health checks are not rate limited");
    await health.body?.cancel();

    now += 37_000; // the next window
    const fresh = await t.app.request("/api/v1/leagues", {}, CLIENT_A);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers.get("ratelimit"), '"default";r=99;t=60');
    await fresh.body?.cancel();

    const metrics = await (await t.app.request("/metrics")).text();
    assert.match(metrics, /sabiscore_rate_limited_requests_total 1\b/);
    assert.match(
      metrics,
      /sabiscore_http_requests_total\{method="GET",route="\/api\/v1\/leagues",status="429"\} 1\b/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("rateLimit: X-Forwarded-For is used only behind a trusted proxy", async (t) => {
  const send = async (app: Awaited<ReturnType<typeof createTestApp>>, xff: string) => {
    const res = await app.app.request(
      "/api/v1/leagues",
      { headers: { "x-forwarded-for": xff } },
      CLIENT_A,
    );
    await res.body?.cancel();
    return res.status;
  };
  await t.step("TRUST_PROXY unset: one budget for the socket address", async () => {
    const app = await createTestApp({
      env: { RATE_LIMIT_REQUESTS: "2" },
      rateLimitStore: new MemoryRateLimitStore(),
      now: MID_WINDOW,
    });
    try {
      assert.deepEqual([
        await send(app, "1.1.1.1"),
        await send(app, "2.2.2.2"),
        await send(app, "3.3.3.3"),
      ], [
        200,
        200,
        429,
      ]);
    } finally {
      await app.close();
    }
  });
  await t.step("TRUST_PROXY=1: the entry the proxy appended counts", async () => {
    const app = await createTestApp({
      env: { RATE_LIMIT_REQUESTS: "2", TRUST_PROXY: "true" },
      rateLimitStore: new MemoryRateLimitStore(),
      now: MID_WINDOW,
    });
    try {
      assert.equal(await send(app, "9.9.9.9, 1.1.1.1"), 200);
      assert.equal(await send(app, "8.8.8.8, 1.1.1.1"), 200, "spoofed left entries are ignored");
      assert.equal(await send(app, "7.7.7.7, 1.1.1.1"), 429);
      assert.equal(await send(app, "2.2.2.2"), 200);
    } finally {
      await app.close();
    }
  });
});

Deno.test("rateLimit: the budget survives a restart on the same KV file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sabiscore_app_rl_" });
  const path = `${dir}/app.kv`;
  const now = () => Date.UTC(2025, 0, 1, 12, 0, 0);
  const env = { RATE_LIMIT_REQUESTS: "10" };
  try {
    let kv = await Deno.openKv(path);
    let t = await createTestApp({ kv, env, now });
    for (let i = 0; i < 7; i++) {
      await (await t.app.request("/api/v1/leagues", {}, CLIENT_A)).body?.cancel();
    }
    await t.close();
    kv.close();

    kv = await Deno.openKv(path);
    t = await createTestApp({ kv, env, now });
    try {
      const res = await t.app.request("/api/v1/leagues", {}, CLIENT_A);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("ratelimit"), '"default";r=2;t=60', "8th request of 10");
      await res.body?.cancel();
      for (let i = 0; i < 2; i++) {
        await (await t.app.request("/api/v1/leagues", {}, CLIENT_A)).body?.cancel();
      }
      const over = await t.app.request("/api/v1/leagues", {}, CLIENT_A);
      assert.equal(over.status, 429);
      await over.body?.cancel();
    } finally {
      await t.close();
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rateLimit: ENABLE_RATE_LIMITING=false lets everything through", async () => {
  const t = await createTestApp({
    env: { ENABLE_RATE_LIMITING: "false", RATE_LIMIT_REQUESTS: "1" },
  });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await t.app.request("/api/v1/leagues", {}, CLIENT_A);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("ratelimit"), null);
      await res.body?.cancel();
    }
  } finally {
    await t.close();
  }
});
