import assert from "node:assert/strict";
import { createMemoryEngine } from "../../server/predict/memory_engine.ts";
import { createTestApp } from "../../server/testing/test_app.ts";

Deno.test("GET /health/ready: 503 until models load, then 200; 503 again when shutting down", async () => {
  const engine = createMemoryEngine({ ready: false });
  const t = await createTestApp({ engine });
  try {
    let res = await t.app.request("/health/ready");
    assert.equal(res.status, 503);
    let body = await res.json();
    assert.equal(body.ready, false);
    assert.equal(body.checks.models.ok, false);
    assert.equal(body.checks.kv.ok, true);
    assert.equal(body.checks.shutdown.ok, true);

    engine.setReady(true);
    res = await t.app.request("/health/ready");
    assert.equal(res.status, 200);
    body = await res.json();
    assert.equal(body.ready, true);
    assert.ok(Object.values(body.checks).every((c) => (c as { ok: boolean }).ok));

    t.services.health.setShuttingDown();
    res = await t.app.request("/health/ready");
    assert.equal(res.status, 503);
    assert.equal((await res.json()).checks.shutdown.ok, false);

    const live = await t.app.request("/health/live");
    assert.equal(live.status, 200, "liveness does not depend on readiness");
    assert.deepEqual(await live.json(), { status: "ok" });
  } finally {
    await t.close();
  }
});

Deno.test("GET /health/ready: a closed KV fails the kv check", async () => {
  const kv = await Deno.openKv(":memory:");
  const t = await createTestApp({ kv, env: { ENABLE_RATE_LIMITING: "false" } });
  try {
    kv.close();
    const res = await t.app.request("/health/ready");
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.checks.kv.ok, false);
    assert.match(body.checks.kv.detail, /KV probe failed/);
  } finally {
    await t.close();
  }
});

Deno.test("GET /health: reports database, cache, models, resources and uptime", async () => {
  const t = await createTestApp();
  try {
    const res = await t.app.request("/health");
    assert.equal(res.status, 200);
    const h = await res.json();
    assert.ok(["ok", "degraded"].includes(h.status));
    assert.equal(typeof h.uptime_seconds, "number");
    assert.equal(h.components.database.status, "ok");
    assert.equal(h.components.database.kind, "deno-kv");
    assert.equal(h.components.cache.entries, 0);
    assert.deepEqual(h.components.ml_models.loaded.sort(), [
      "england-premier-league",
      "spain-laliga",
    ]);
    assert.ok(h.components.resources.memory.rss_bytes > 0);
    assert.ok(h.components.resources.disk.total_bytes > 0);
  } finally {
    await t.close();
  }
});

Deno.test("GET /health: models down makes the instance down (503)", async () => {
  const t = await createTestApp({ engine: createMemoryEngine({ ready: false }) });
  try {
    const res = await t.app.request("/health");
    assert.equal(res.status, 503);
    const h = await res.json();
    assert.equal(h.status, "down");
    assert.equal(h.components.ml_models.status, "down");
  } finally {
    await t.close();
  }
});
