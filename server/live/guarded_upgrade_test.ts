import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerMessage } from "../domain/live_protocol.ts";
import { createLocalBroker } from "./broker.ts";
import { createMemoryEventLog } from "./event_log.ts";
import { createGuardedUpgrade } from "./guarded_upgrade.ts";
import { createHub, type HubLimits } from "./hub.ts";
import type { PublishedEvent } from "./live_event.ts";
import {
  closeCode,
  frameHeader,
  frameText,
  maskedFrame,
  parseFrame,
  rawConnect,
  type RawFrame,
  type RawWebSocket,
} from "./raw_ws_client.ts";

/** A node:http server whose upgrades go through the guard to a real hub, on port 0. */
async function startGuarded(
  maxMessageBytes: number,
  trustProxy = 0,
  heartbeatMs?: number,
  limits: Partial<HubLimits> = {},
) {
  const log = createMemoryEventLog();
  const ac = new AbortController();
  const hub = createHub({ log, broker: createLocalBroker(log), signal: ac.signal, limits });
  const server = http.createServer((_req, res) => res.end());
  server.on("upgrade", createGuardedUpgrade(hub, { maxMessageBytes, trustProxy, heartbeatMs }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    hub,
    port: (server.address() as AddressInfo).port,
    async close() {
      ac.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

Deno.test("guardedUpgrade: a frame over the limit closes the connection with 1009", async () => {
  const s = await startGuarded(4096);
  const ws = await rawConnect(s.port);
  try {
    assert.equal(ws.status, 101);
    await ws.sendText(JSON.stringify({ type: "ping", t: 1 }));
    await ws.sendText("x".repeat(5000));
    const frames = await ws.readAll();
    const welcome: ServerMessage = JSON.parse(frameText(frames[0]));
    assert.equal(welcome.type, "welcome");
    assert.equal(JSON.parse(frameText(frames[1])).type, "pong");
    assert.equal(frames.at(-1)!.opcode, 0x8);
    assert.equal(closeCode(frames.at(-1)!), 1009);
  } finally {
    ws.close();
    await s.close();
  }
});

Deno.test("guardedUpgrade: a header announcing a huge payload is refused before the payload arrives", async () => {
  const s = await startGuarded(4096);
  const ws = await rawConnect(s.port);
  try {
    assert.equal(ws.status, 101);
    // 50 MB announced (under the 64 MiB Deno's own WebSocket refuses), not one payload byte
    // sent: the close must come from the header alone.
    await ws.write(frameHeader(0x1, 50 * 2 ** 20, new Uint8Array(4)));
    const frames = await ws.readAll();
    assert.equal(frames.at(-1)!.opcode, 0x8);
    assert.equal(closeCode(frames.at(-1)!), 1009);
    // The socket is destroyed, not left open waiting for a close handshake.
    assert.equal(await ws.conn.read(new Uint8Array(16)).catch(() => null), null);
  } finally {
    ws.close();
    await s.close();
  }
});

Deno.test("guardedUpgrade: the per-address limit counts forwarded clients only behind a trusted proxy", async () => {
  for (const [trustProxy, expected] of [[1, [101, 101]], [0, [101, 429]]]) {
    const s = await startGuarded(4096, trustProxy as number);
    const sockets = [];
    try {
      for (let i = 0; i < 21; i++) {
        sockets.push(
          await rawConnect(s.port, { headers: { "X-Forwarded-For": `203.0.113.${i}` } }),
        );
      }
      assert.deepEqual(
        sockets.slice(19).map((x) => x.status),
        expected,
        `trustProxy ${trustProxy}`,
      );
    } finally {
      for (const socket of sockets) socket.close();
      await s.close();
    }
  }
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error("Condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Reads `ws` frame by frame, answering each protocol ping with its pong when `answer` says so,
 * until `enough(pings, frames)` or the server ends the connection. Returns the pings seen and whether
 * the connection ended.
 */
async function readPings(
  ws: RawWebSocket,
  answer: boolean,
  enough: (pings: number, frames: RawFrame[]) => boolean,
): Promise<{ pings: number; ended: boolean; frames: RawFrame[] }> {
  let data: Uint8Array = ws.leftover;
  let pings = 0;
  const frames: RawFrame[] = [];
  const buf = new Uint8Array(65_536);
  for (;;) {
    for (let f = parseFrame(data, 0); f; f = parseFrame(data, 0)) {
      data = data.slice(f.next);
      frames.push(f.frame);
      if (f.frame.opcode === 0x8) return { pings, ended: true, frames };
      if (f.frame.opcode === 0x9) {
        pings++;
        if (answer) await ws.write(maskedFrame(0xa, f.frame.payload));
      }
      if (enough(pings, frames)) return { pings, ended: false, frames };
    }
    const n = await ws.conn.read(buf).catch(() => null);
    if (n === null) return { pings, ended: true, frames };
    const next = new Uint8Array(data.length + n);
    next.set(data);
    next.set(buf.subarray(0, n), data.length);
    data = next;
  }
}

Deno.test("guardedUpgrade: a client that stops answering pings is dropped after one interval", async () => {
  const s = await startGuarded(4096, 0, 100);
  const ws = await rawConnect(s.port);
  try {
    assert.equal(ws.status, 101);
    const started = performance.now();
    // Reads until the server ends the connection; more pings mean it kept a dead peer.
    const r = await readPings(ws, false, (pings) => pings > 3);
    assert.equal(r.ended, true);
    assert.equal(r.pings, 1, "one unanswered ping, then the connection is dropped");
    // Two intervals (ping, then no pong by the next); generous for a loaded machine.
    assert.ok(performance.now() - started < 5000, "dropped within the heartbeat window");
    await waitFor(() => s.hub.metrics().connections === 0);
  } finally {
    ws.close();
    await s.close();
  }
});

Deno.test("guardedUpgrade: a client that answers pings stays open", async () => {
  // 400 ms: each pong must be back before the next ping, and this process answers them too; a
  // busy machine can stall it past a 100 ms interval.
  const s = await startGuarded(4096, 0, 400);
  const ws = await rawConnect(s.port);
  try {
    assert.equal(ws.status, 101);
    // Five intervals: a silent client would have been dropped after the second.
    const r = await readPings(ws, true, (pings) => pings >= 5);
    assert.equal(r.ended, false);
    assert.equal(r.pings, 5);
    // Still served: an application ping gets its pong.
    await ws.sendText(JSON.stringify({ type: "ping", t: 7 }));
    const isPong = (f: RawFrame) => f.opcode === 0x1 && JSON.parse(frameText(f)).type === "pong";
    const after = await readPings(ws, true, (_, frames) => frames.some(isPong));
    assert.equal(after.ended, false);
  } finally {
    ws.close();
    await s.close();
  }
});

/** A published odds event whose JSON carries `padding` (the hub sends `json` as it is). */
function paddedEvent(eventId: number, padding: string): PublishedEvent {
  const json = JSON.stringify({ type: "odds", event_id: eventId, topic: "matches", padding });
  return {
    event_id: eventId,
    topics: ["matches"],
    event: { type: "value_bet", bet: {} } as PublishedEvent["event"],
    json,
    published_at: Date.now(),
  };
}

async function subscribedClient(port: number): Promise<RawWebSocket> {
  const ws = await rawConnect(port);
  assert.equal(ws.status, 101);
  await ws.sendText(JSON.stringify({ type: "subscribe", topics: ["matches"] }));
  // welcome, subscribed; nothing else is sent before a broadcast, so no bytes are left over.
  const r = await readPings(ws, true, (_, frames) => frames.length >= 2);
  ws.leftover = new Uint8Array(0);
  assert.equal(JSON.parse(frameText(r.frames[1])).type, "subscribed");
  return ws;
}

Deno.test("guardedUpgrade: broadcast frames, built once for all sockets, reach each client whole", async () => {
  const s = await startGuarded(4096);
  const clients: RawWebSocket[] = [];
  try {
    for (let i = 0; i < 3; i++) clients.push(await subscribedClient(s.port));
    // The three header lengths of RFC 6455 (7-bit, 16-bit, 64-bit), and multi-byte UTF-8.
    const events = [
      paddedEvent(1, "é"),
      paddedEvent(2, "ü".repeat(200)),
      paddedEvent(3, "€".repeat(30_000)),
    ];
    for (const event of events) s.hub.broadcast(event);
    for (const ws of clients) {
      const r = await readPings(ws, true, (_, frames) => frames.length >= 3);
      assert.deepEqual(r.frames.map((f) => f.opcode), [1, 1, 1]);
      assert.deepEqual(r.frames.map(frameText), events.map((e) => e.json));
    }
  } finally {
    for (const ws of clients) ws.close();
    await s.close();
  }
});

Deno.test("guardedUpgrade: a client that stops reading is closed with 1013 once its buffer is full", async () => {
  const s = await startGuarded(4096, 0, undefined, { maxBufferedBytes: 256 * 1024 });
  const ws = await subscribedClient(s.port);
  try {
    // The client reads nothing more: the kernel's buffers fill, then the socket's own.
    const padding = "x".repeat(100_000);
    for (let id = 1; s.hub.metrics().slow_consumers_dropped === 0; id++) {
      if (id > 2_000) throw new Error("The slow consumer was never dropped");
      s.hub.broadcast(paddedEvent(id, padding));
      if (id % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const { ended, frames } = await readPings(ws, false, () => false);
    assert.equal(ended, true);
    assert.equal(frames.at(-1)!.opcode, 0x8);
    assert.equal(closeCode(frames.at(-1)!), 1013);
    await waitFor(() => s.hub.metrics().connections === 0);
  } finally {
    ws.close();
    await s.close();
  }
});
