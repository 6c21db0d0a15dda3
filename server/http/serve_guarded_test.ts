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
  let requests = 0;
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
    onRequest: () => requests++,
    onDrained: () => hub.close(),
    onClose: async () => {
      await t.close();
      kv.close();
    },
  });
  await server.ready;
  return {
    server,
    engine,
    t,
    base: `http://127.0.0.1:${server.port}`,
    /** Requests the app has been handed so far. */
    requests: () => requests,
  };
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
  const { server, engine, t, base, requests } = await startGuarded(200);
  const ws = await rawConnect(server.port);
  assert.equal(ws.status, 101);
  const frames = ws.readAll();
  const inflight = fetch(`${base}/api/v1/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ league: "epl", home_team: "Arsenal", away_team: "Burnley" }),
  }).then(async (res) => ({ status: res.status, body: await res.json() }));
  // Shut down once the app has the request (a fixed wait can end before a slow machine sent it).
  while (requests() < 1) await new Promise((r) => setTimeout(r, 5));
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

/**
 * Posts `total` bytes to `/api/v1/predictions` over a raw connection, declared by
 * `Content-Length` or sent chunked, writing while it reads; stops writing once the answer has
 * come or the server closed. Returns the answer's status and JSON body and the bytes written.
 */
async function postOversized(port: number, total: number, chunked: boolean) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const framing = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${total}`;
  const head = `POST /api/v1/predictions HTTP/1.1\r\nHost: x\r\n` +
    `Content-Type: application/json\r\n${framing}\r\n\r\n`;
  await conn.write(new TextEncoder().encode(head));
  let answered = false;
  const reading = (async () => {
    const buf = new Uint8Array(65_536);
    let text = "";
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
      const end = text.indexOf("\r\n\r\n");
      const length = Number(text.match(/^content-length: (\d+)$/im)?.[1] ?? NaN);
      if (end >= 0 && text.length - end - 4 >= length) break;
    }
    answered = true;
    return text;
  })();
  const piece = new Uint8Array(64 * 1024).fill(0x20);
  const chunkHead = new TextEncoder().encode(`${piece.length.toString(16)}\r\n`);
  const crlf = new TextEncoder().encode("\r\n");
  let written = 0;
  try {
    while (!answered && written < total) {
      if (chunked) await conn.write(chunkHead);
      let off = 0;
      while (off < piece.length) off += await conn.write(piece.subarray(off));
      if (chunked) await conn.write(crlf);
      written += piece.length;
    }
  } catch {
    // The server closed the connection: what matters is how much it took first.
  }
  const text = await reading;
  try {
    conn.close();
  } catch { /* closed */ }
  const status = Number(text.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
  // The JSON object, whatever the framing around it.
  const json = text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
  return { status, body: json ? JSON.parse(json) : undefined, written };
}

Deno.test("serveApp guarded: a body over the limit is refused with 413 before it is read whole", async () => {
  const { server } = await startGuarded();
  const total = 100 * 2 ** 20;
  try {
    for (const chunked of [false, true]) {
      const res = await postOversized(server.port, total, chunked);
      const what = chunked ? "chunked" : "with Content-Length";
      assert.equal(res.status, 413, what);
      assert.equal(res.body?.error?.code, "payload_too_large", what);
      // Socket buffers on both ends take a few megabytes before the writer blocks; reading
      // the whole body first would take all 100 MB.
      assert.ok(res.written < 24 * 2 ** 20, `${what}: ${res.written} bytes taken`);
    }
    // The listener still serves afterwards.
    const live = await fetch(`http://127.0.0.1:${server.port}/health/live`);
    assert.equal(live.status, 200);
    await live.body?.cancel();
  } finally {
    await server.shutdown("test");
  }
});
