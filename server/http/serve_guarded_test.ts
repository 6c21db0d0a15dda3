import assert from "node:assert/strict";
import { createLocalBroker } from "../live/broker.ts";
import { createMemoryEventLog } from "../live/event_log.ts";
import { createGuardedUpgrade } from "../live/guarded_upgrade.ts";
import { createHub } from "../live/hub.ts";
import { closeCode, frameHeader, frameText, rawConnect } from "../live/raw_ws_client.ts";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import { createTestApp } from "../testing/test_app.ts";
import { serveApp } from "./serve.ts";

/** The app on the production serve path with `/ws` behind the guarded upgrade, on port 0. */
async function startGuarded(drainMs = 0) {
  const engine = createMemoryEngine({ delayMs: 300 });
  const kv = await Deno.openKv(":memory:");
  const t = await createTestApp({ engine, kv });
  const log = createMemoryEventLog();
  const hub = createHub({ log, broker: createLocalBroker(log) });
  t.services.hub = hub;
  const server = serveApp(t.app, t.services, {
    port: 0,
    hostname: "127.0.0.1",
    drainMs,
    upgrade: createGuardedUpgrade(hub),
    onDrained: () => hub.close(),
    onClose: async () => {
      await t.close();
      kv.close();
    },
  });
  await server.ready;
  return { server, engine, t, base: `http://127.0.0.1:${server.port}` };
}

Deno.test("serveApp guarded: oversized frames close with 1009, normal messages still work", async () => {
  const { server, base } = await startGuarded();
  try {
    const live = await fetch(`${base}/health/live`);
    assert.equal(live.status, 200);
    await live.body?.cancel();

    const ws = await rawConnect(server.port);
    assert.equal(ws.status, 101);
    await ws.sendText(JSON.stringify({ type: "ping", t: 1 }));
    await ws.sendText("x".repeat(5000));
    const frames = await ws.readAll();
    ws.close();
    assert.equal(JSON.parse(frameText(frames[0])).type, "welcome");
    assert.equal(JSON.parse(frameText(frames[1])).type, "pong");
    assert.equal(closeCode(frames.at(-1)!), 1009);

    const huge = await rawConnect(server.port);
    assert.equal(huge.status, 101);
    await huge.write(frameHeader(0x1, 50 * 2 ** 20, new Uint8Array(4)));
    const hugeFrames = await huge.readAll();
    huge.close();
    assert.equal(closeCode(hugeFrames.at(-1)!), 1009);
  } finally {
    await server.shutdown("test");
  }
});

Deno.test("serveApp guarded: a refused upgrade carries the JSON error body", async () => {
  const { server } = await startGuarded();
  try {
    const ws = await rawConnect(server.port, { origin: "https://evil.example" });
    ws.close();
    assert.equal(ws.status, 403);
    const text = new TextDecoder().decode(ws.leftover);
    const body = JSON.parse(text.slice(text.indexOf("{")));
    assert.equal(typeof body.error.code, "string");
    assert.match(body.error.message, /evil\.example/);
  } finally {
    await server.shutdown("test");
  }
});

Deno.test("serveApp guarded: drain serves with readiness 503, in-flight finishes, sockets close 1001", async () => {
  const { server, engine, t, base } = await startGuarded(200);
  const ws = await rawConnect(server.port);
  assert.equal(ws.status, 101);
  const frames = ws.readAll();
  const inflight = fetch(`${base}/api/v1/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ league: "epl", home_team: "Arsenal", away_team: "Burnley" }),
  }).then(async (res) => ({ status: res.status, body: await res.json() }));
  await new Promise((r) => setTimeout(r, 50));
  const stopping = server.shutdown("test");
  assert.equal(t.services.health.shuttingDown, true);
  const ready = await fetch(`${base}/health/ready`);
  assert.equal(ready.status, 503, "readiness is 503 during the drain");
  await ready.body?.cancel();
  const res = await inflight;
  assert.equal(res.status, 200);
  assert.equal(res.body.home_team, "Arsenal");
  assert.equal(closeCode((await frames).at(-1)!), 1001);
  ws.close();
  await stopping;
  await server.finished;
  assert.equal(engine.calls, 1);
  await assert.rejects(fetch(`${base}/health/live`), "the listener is closed");
});
