import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "./app_env.ts";
import { clientAddress } from "./middleware/client_address.ts";
import { createMemoryEngine } from "./predict/memory_engine.ts";
import { serveApp } from "./serve.ts";
import { createTestApp } from "./testing.ts";

Deno.test("serveApp: shutdown flips readiness, finishes in-flight requests, then closes", async () => {
  const engine = createMemoryEngine({ delayMs: 300 });
  const kv = await Deno.openKv(":memory:");
  const t = await createTestApp({ engine, kv });
  let closedAfterRequest = false;
  const server = serveApp(t.app, t.services, {
    port: 0,
    hostname: "127.0.0.1",
    onClose: async () => {
      closedAfterRequest = engine.calls === 1; // the slow prediction completed first
      await t.close();
      kv.close();
    },
  });
  const base = `http://127.0.0.1:${server.port}`;
  const ready = await fetch(`${base}/health/ready`);
  assert.equal(ready.status, 200);
  await ready.body?.cancel();

  const inflight = fetch(`${base}/api/v1/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ league: "epl", home_team: "Arsenal", away_team: "Burnley" }),
  }).then(async (res) => {
    return { status: res.status, body: await res.json() };
  });
  await new Promise((r) => setTimeout(r, 50)); // the request is now inside the engine's delay
  const stopping = server.shutdown("test");
  assert.equal(t.services.health.shuttingDown, true, "readiness flips at once");
  const res = await inflight;
  assert.equal(res.status, 200, "the in-flight request finished");
  assert.equal(res.body.home_team, "Arsenal");
  await stopping;
  await server.finished;
  assert.equal(closedAfterRequest, true, "resources closed after the last request");
  await assert.rejects(fetch(`${base}/health/live`), "the listener is closed");
  await assert.rejects(kv.get(["x"]), "KV is closed");
});

Deno.test("serveApp: onRequest sees every request, and the app still gets the client address", async () => {
  const kv = await Deno.openKv(":memory:");
  const t = await createTestApp({ engine: createMemoryEngine(), kv });
  const app = new Hono<AppEnv>();
  app.get("/ip", (c) => c.text(clientAddress(c, 0)));
  let seen = 0;
  const server = serveApp(app, t.services, {
    port: 0,
    hostname: "127.0.0.1",
    onRequest: () => seen++,
    onClose: async () => {
      await t.close();
      kv.close();
    },
  });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${server.port}/ip`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "127.0.0.1");
    }
    assert.equal(seen, 3);
  } finally {
    await server.shutdown("test");
  }
});
