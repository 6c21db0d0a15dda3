import assert from "node:assert/strict";
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
