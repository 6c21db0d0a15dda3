import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "./app_env.ts";
import { clientAddress } from "../middleware/client_address.ts";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import { serveApp } from "./serve.ts";
import { createTestApp } from "../testing/test_app.ts";

Deno.test("serveApp: shutdown flips readiness, finishes in-flight requests, then closes", async () => {
  const engine = createMemoryEngine({ delayMs: 300 });
  const kv = await Deno.openKv(":memory:");
  const t = await createTestApp({ engine, kv });
  let closedAfterRequest = false;
  let requests = 0;
  const server = serveApp(t.app, t.services, {
    port: 0,
    hostname: "127.0.0.1",
    onRequest: () => requests++,
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
  // Shut down once the server has the request (it then sits in the engine's 300 ms delay): a
  // fixed wait can end before a slow machine delivered it, and the closed listener refuses it.
  while (requests < 2) await new Promise((r) => setTimeout(r, 5));
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

/** Sends `request` over a fresh TCP connection and reads until the server closes it. */
async function rawExchange(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    const decoder = new TextDecoder();
    const buf = new Uint8Array(16_384);
    let text = "";
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += decoder.decode(buf.subarray(0, n), { stream: true });
    }
    return text + decoder.decode();
  } finally {
    try {
      conn.close();
    } catch { /* closed by the server */ }
  }
}

function headAndBody(response: string): [string, string] {
  const i = response.indexOf("\r\n\r\n");
  return [response.slice(0, i), response.slice(i + 4)];
}

Deno.test("serveApp: prediction answers are chunked on HTTP/1.1 and carry Content-Length on HTTP/1.0", async () => {
  const kv = await Deno.openKv(":memory:");
  const t = await createTestApp({ engine: createMemoryEngine(), kv });
  const server = serveApp(t.app, t.services, {
    port: 0,
    hostname: "127.0.0.1",
    onClose: async () => {
      await t.close();
      kv.close();
    },
  });
  const body = JSON.stringify({ league: "epl", home_team: "Arsenal", away_team: "Burnley" });
  const request = (version: string) =>
    `POST /api/v1/predictions HTTP/${version}\r\nHost: x\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${new TextEncoder().encode(body).length}\r\nConnection: close\r\n\r\n${body}`;
  try {
    const http11 = await rawExchange(server.port, request("1.1"));
    const [head11, rest11] = headAndBody(http11);
    assert.match(head11, /^HTTP\/1\.1 200 /);
    assert.match(head11, /^transfer-encoding: chunked$/im);
    assert.doesNotMatch(head11, /^content-length:/im);
    // One chunk, then the terminator: the size line, the JSON answer, `0`.
    const m = rest11.match(/^([0-9a-f]+)\r\n([\s\S]*)\r\n0\r\n\r\n$/);
    assert.ok(m, `a well-formed chunked body, got ${JSON.stringify(rest11.slice(0, 80))}`);
    const answer = JSON.parse(m[2]);
    assert.equal(parseInt(m[1], 16), new TextEncoder().encode(m[2]).length);
    assert.equal(answer.home_team, "Arsenal");

    const http10 = await rawExchange(server.port, request("1.0"));
    const [head10, rest10] = headAndBody(http10);
    assert.match(head10, /^HTTP\/1\.0 200 /);
    assert.doesNotMatch(head10, /^transfer-encoding:/im, "HTTP/1.0 has no chunked coding");
    const length = Number(head10.match(/^content-length: (\d+)$/im)?.[1]);
    assert.equal(length, new TextEncoder().encode(rest10).length);
    assert.equal(JSON.parse(rest10).away_team, "Burnley");

    // And an ordinary client reads it as JSON.
    const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).league, answer.league);
  } finally {
    await server.shutdown("test");
  }
});

Deno.test("serveApp: during the drain window readiness is 503 and requests are served; in-flight ones finish", async () => {
  // A 1 s window and a 1 s prediction sent half-way through it: 500 ms of slack on either side,
  // so a slow machine neither sends it after the listener closed nor gets it back in the window.
  const engine = createMemoryEngine({ delayMs: 1000 });
  const kv = await Deno.openKv(":memory:");
  const t = await createTestApp({ engine, kv });
  const drained: number[] = [];
  const server = serveApp(t.app, t.services, {
    port: 0,
    hostname: "127.0.0.1",
    drainMs: 1000,
    onDrained: () => drained.push(performance.now()),
    onClose: async () => {
      await t.close();
      kv.close();
    },
  });
  const base = `http://127.0.0.1:${server.port}`;
  const started = performance.now();
  const stopping = server.shutdown("test");

  const ready = await fetch(`${base}/health/ready`);
  assert.equal(ready.status, 503, "readiness reports the drain");
  assert.equal((await ready.json()).checks.shutdown.ok, false);
  const live = await fetch(`${base}/health/live`);
  assert.equal(live.status, 200, "other requests are still served");
  await live.body?.cancel();
  // Sent inside the window, answered after it ended: the listener closed meanwhile.
  await new Promise((r) => setTimeout(r, 500 - (performance.now() - started)));
  const inflight = fetch(`${base}/api/v1/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ league: "epl", home_team: "Arsenal", away_team: "Burnley" }),
  });
  const res = await inflight;
  assert.equal(res.status, 200, "the in-flight request finished");
  assert.equal((await res.json()).away_team, "Burnley");
  assert.equal(drained.length, 1);
  assert.ok(drained[0] - started >= 990, "serving went on for the whole window");
  await stopping;
  await server.finished;
  assert.ok(performance.now() - started < 1000 + 5_000, "stopped soon after the window");
  await assert.rejects(fetch(`${base}/health/live`), "the listener is closed");
});
