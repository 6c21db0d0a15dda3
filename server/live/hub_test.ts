import assert from "node:assert/strict";
import { startWsServer } from "../testing/ws_test_server.ts";
import { createLocalBroker } from "./broker.ts";
import { createMemoryEventLog } from "./event_log.ts";
import { createHub } from "./hub.ts";
import { oddsEvent, valueBetEvent } from "./event_fixtures.ts";
import { closeCode, frameText, rawConnect } from "./raw_ws_client.ts";
import { Client, eventually, subscribe } from "./ws_test_client.ts";

Deno.test("hub: a subscribed client receives odds, only on its topics", async () => {
  const s = startWsServer();
  const all = await Client.open(s.url);
  const laliga = await Client.open(s.url);
  const bets = await Client.open(s.url);
  try {
    await subscribe(all, { topics: ["matches"] });
    await subscribe(laliga, { topics: ["league:spain-laliga"] });
    await subscribe(bets, { topics: ["value-bets", "match:m1"] });
    await s.broker.publish(oddsEvent({ id: "m1", home: 2.5 }));
    await all.until(() => all.events().length === 1);
    const odds = all.of("odds")[0];
    assert.equal(odds.event_id, 1);
    assert.equal(odds.match.odds.x12.home, 2.5);
    await s.broker.publish(oddsEvent({ id: "m2", league: "spain-laliga" }));
    await s.broker.publish(valueBetEvent({ match_id: "m1" }));
    await all.until(() => all.events().length === 2);
    await laliga.until(() => laliga.events().length === 1);
    // bets is on match:m1 and value-bets: event 3 is on both and arrives once.
    await bets.until(() => bets.events().length === 2);
    assert.deepEqual(all.events(), [1, 2]);
    assert.deepEqual(laliga.events(), [2]);
    assert.deepEqual(bets.events(), [1, 3]);
    assert.equal(bets.of("value_bet")[0].bet.action, "open");
    // Unsubscribing stops delivery; ping gets pong.
    bets.send({ type: "unsubscribe", topics: ["match:m1", "value-bets"] });
    await bets.until(() => bets.of("unsubscribed").length === 1);
    await s.broker.publish(valueBetEvent({ match_id: "m1", action: "close" }));
    bets.send({ type: "ping", t: 7 });
    await bets.until(() => bets.of("pong").length === 1);
    assert.equal(bets.of("pong")[0].t, 7);
    assert.deepEqual(bets.events(), [1, 3]);
    const m = s.hub.metrics();
    assert.equal(m.connections, 3);
    assert.equal(m.events_broadcast, 4);
  } finally {
    await Promise.all([all.close(), laliga.close(), bets.close()]);
    await s.close();
  }
});

Deno.test("hub: reconnecting with since gets exactly the missed events, also those published during the replay", async () => {
  // A log that lets the test publish just before and just after the replay reads it.
  let onReplay: ((phase: "before" | "after") => Promise<void>) | null = null;
  const s = startWsServer({
    wrapLog: (log) => ({
      ...log,
      async since(topics, afterId) {
        await onReplay?.("before");
        const result = await log.since(topics, afterId);
        await onReplay?.("after");
        return result;
      },
    }),
  });
  const first = await Client.open(s.url);
  let second: Client | null = null;
  try {
    await subscribe(first, { topics: ["league:england-premier-league"] });
    for (let i = 0; i < 3; i++) await s.broker.publish(oddsEvent({ id: `m${i}` }));
    await first.until(() => first.events().length === 3);
    const lastSeen = first.events().at(-1)!;
    await first.close();
    // Missed while away: 4 on the league, 5 elsewhere, 6 a value bet of match m4.
    await s.broker.publish(oddsEvent({ id: "m4" }));
    await s.broker.publish(oddsEvent({ id: "x", league: "italy-serie-a" }));
    await s.broker.publish(valueBetEvent({ match_id: "m4" }));

    second = await Client.open(s.url);
    const client = second;
    onReplay = async (phase) => {
      // 7 lands in both the replay and the live buffer; 8 is elsewhere; 9 only in the buffer.
      if (phase === "before") await s.broker.publish(oddsEvent({ id: "m5" }));
      else {
        await s.broker.publish(oddsEvent({ id: "y", league: "italy-serie-a" }));
        await s.broker.publish(oddsEvent({ id: "m4" }));
      }
    };
    client.send({
      type: "subscribe",
      topics: ["league:england-premier-league", "match:m4"],
      since: lastSeen,
    });
    await client.until(() => client.of("subscribed").length === 1);
    onReplay = null;
    await s.broker.publish(oddsEvent({ id: "m6" }));
    await client.until(() => client.events().length === 5);
    assert.deepEqual(client.events(), [4, 6, 7, 9, 10]);
    const ack = client.of("subscribed")[0];
    assert.equal(ack.replayed, 3);
    assert.equal(ack.truncated, false);
    assert.equal(ack.last_event_id, 9);
    const order = client.messages.map((m) => m.type === "subscribed" ? "ack" : m.type);
    assert.deepEqual(order, ["welcome", "odds", "value_bet", "odds", "odds", "ack", "odds"]);
  } finally {
    onReplay = null;
    await first.close();
    await second?.close();
    await s.close();
  }
});

Deno.test("hub: a consumer that stops reading is closed with 1013 while others keep receiving", async () => {
  const s = startWsServer({ limits: { maxBufferedBytes: 256 * 1024 } });
  const normal = await Client.open(s.url);
  const raw = await rawConnect(s.port);
  try {
    assert.equal(raw.status, 101);
    await subscribe(normal, { topics: ["matches"] });
    await raw.sendText(JSON.stringify({ type: "subscribe", topics: ["matches"] }));
    await eventually(() => s.hub.metrics().subscriptions === 2);
    // 64 KB events: the raw client's kernel buffers fill after a few MB, then the hub's.
    let published = 0;
    while (s.hub.metrics().slow_consumers_dropped === 0 && published < 1000) {
      await s.broker.publish(oddsEvent({ id: `m${published}`, padding: 64 * 1024 }));
      published++;
      await new Promise((r) => setTimeout(r, 0));
    }
    assert.equal(s.hub.metrics().slow_consumers_dropped, 1, `not dropped after ${published}`);

    for (let i = 0; i < 5; i++) await s.broker.publish(oddsEvent({ id: `after${i}` }));
    published += 5;
    await normal.until(() => normal.events().length === published, 30_000);
    assert.deepEqual(normal.events(), Array.from({ length: published }, (_, i) => i + 1));
    assert.equal(s.hub.metrics().connections, 1);
    // Reading now, the slow client finds what was buffered, then a 1013 close frame.
    const frames = await raw.readAll();
    const last = frames.at(-1)!;
    assert.equal(last.opcode, 0x8);
    assert.equal(closeCode(last), 1013);
    const received = frames.filter((f) => f.opcode === 0x1).map((f) => JSON.parse(frameText(f)));
    assert.ok(received.length < published);
    assert.equal(received[0].type, "welcome");
  } finally {
    raw.close();
    await normal.close();
    await eventually(() => s.hub.metrics().closing === 0);
    await s.close();
  }
});

Deno.test("hub: malformed messages get an error reply and the connection lives on", async () => {
  const s = startWsServer({ limits: { maxSubscriptions: 3, maxMessageBytes: 512 }, maxErrors: 6 });
  const c = await Client.open(s.url);
  try {
    const sent: [unknown, string][] = [
      ["not json", "bad_json"],
      [{ type: "dance" }, "bad_message"],
      [{ type: "subscribe", topics: ["nonsense"] }, "bad_message"],
      [{ type: "ping", t: 1, pad: "x".repeat(600) }, "message_too_large"],
      [
        { type: "subscribe", topics: ["matches", "value-bets", "match:a", "match:b"] },
        "too_many_subscriptions",
      ],
    ];
    for (const [message, code] of sent) {
      const before = c.of("error").length;
      c.send(message);
      await c.until(() => c.of("error").length > before);
      assert.equal(c.of("error").at(-1)!.code, code, JSON.stringify(message));
    }
    c.socket.send(new Uint8Array([1, 2, 3]));
    await c.until(() => c.of("error").length === 6);
    assert.equal(c.of("error")[5].code, "not_text");
    // Nothing was subscribed by the rejected message; three topics still fit.
    await subscribe(c, { topics: ["matches", "value-bets", "match:a"] });
    c.send({ type: "ping" });
    await c.until(() => c.of("pong").length === 1);
    assert.equal(s.hub.metrics().client_errors, 6);
    // One error more than `maxErrors` closes the connection with 1008.
    c.send("{");
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
  } finally {
    await c.close();
    await s.close();
  }
});

Deno.test("hub: connections per address are limited; a freed slot can be reused", async () => {
  const s = startWsServer({ limits: { maxConnectionsPerAddress: 2 } });
  const a = await Client.open(s.url);
  const b = await Client.open(s.url);
  let extra: Client | null = null;
  try {
    const refused = await rawConnect(s.port);
    assert.equal(refused.status, 429);
    refused.close();
    assert.equal(s.hub.metrics().rejected_limit, 1);
    await a.close();
    await eventually(() => s.hub.metrics().connections === 1);
    extra = await Client.open(s.url);
    assert.equal(s.hub.metrics().connections, 2);
  } finally {
    await Promise.all([a.close(), b.close(), extra?.close()]);
    await s.close();
  }
});

Deno.test("hub: origins outside the allow-list are refused", async () => {
  const s = startWsServer({ allowedOrigins: ["https://sabiscore.example"] });
  try {
    const cases: [string | undefined, number][] = [
      ["https://evil.example", 403],
      ["https://sabiscore.example", 101],
      [`http://127.0.0.1:${s.port}`, 101],
      [undefined, 101],
    ];
    for (const [origin, status] of cases) {
      const raw = await rawConnect(s.port, { origin });
      assert.equal(raw.status, status, String(origin));
      raw.close();
    }
    assert.equal(s.hub.metrics().rejected_origin, 1);
    await eventually(() => s.hub.metrics().connections === 0);
  } finally {
    await s.close();
  }
});

Deno.test("hub: idle connections are closed by the sweep; a pinging client stays", async () => {
  let now = 1_000_000;
  const s = startWsServer({ idleTimeoutMs: 60_000, now: () => now });
  const idle = await Client.open(s.url);
  const alive = await Client.open(s.url);
  try {
    now += 40_000;
    alive.send({ type: "ping" });
    await alive.until(() => alive.of("pong").length === 1);
    now += 30_000;
    assert.equal(s.hub.sweep(), 1);
    assert.equal((await idle.closed).code, 1001);
    assert.equal(alive.socket.readyState, WebSocket.OPEN);
    assert.equal(s.hub.metrics().idle_closed, 1);
  } finally {
    await Promise.all([idle.close(), alive.close()]);
    await s.close();
  }
});

Deno.test("hub: stopping closes every client with 1001 and refuses new ones", async () => {
  const s = startWsServer();
  const c = await Client.open(s.url);
  try {
    s.hub.close();
    assert.equal((await c.closed).code, 1001);
    const raw = await rawConnect(s.port);
    assert.equal(raw.status, 503);
    raw.close();
  } finally {
    await c.close();
    await s.close();
  }
});

Deno.test("hub: attach() serves a socket from Deno.upgradeWebSocket without Hono", async () => {
  const log = createMemoryEventLog();
  const broker = createLocalBroker(log);
  const hub = createHub({ log, broker });
  const ac = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
    (req, info) => {
      const admission = hub.admit({ address: info.remoteAddr.hostname });
      const { socket, response } = Deno.upgradeWebSocket(req, hub.upgradeOptions);
      hub.attach(socket, admission);
      return response;
    },
  );
  const c = await Client.open(`ws://127.0.0.1:${server.addr.port}/`);
  try {
    await subscribe(c, { topics: ["value-bets"] });
    await broker.publish(valueBetEvent());
    await c.until(() => c.events().length === 1);
    assert.equal(c.of("value_bet")[0].bet.match_id, "m1");
  } finally {
    await c.close();
    hub.close();
    ac.abort();
    await server.finished;
  }
});

Deno.test("hub: a quiet socket gets the first event at once and the next ones of the window in one frame", async () => {
  const s = startWsServer({ batchMs: 1000 });
  const c = await Client.open(s.url);
  try {
    await subscribe(c, { topics: ["matches"] });
    await s.broker.publish(oddsEvent({ id: "first" }));
    // Not held back: it arrives long before the 1 s window ends.
    await c.until(() => c.events().length === 1);
    assert.equal(c.batches, 0);
    // The socket is idle now (its buffer drained), yet these follow within the window: queued.
    for (let i = 0; i < 4; i++) {
      await s.broker.publish(oddsEvent({ id: `m${i}` }));
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(c.events().length, 1);
    await c.until(() => c.events().length === 5);
    assert.deepEqual(c.events(), [1, 2, 3, 4, 5]);
    assert.equal(c.batches, 1);
  } finally {
    await c.close();
    await s.close();
  }
});

Deno.test("hub: events for a busy socket are coalesced into batch frames, in order", async () => {
  const s = startWsServer({ batchMs: 5 });
  const c = await Client.open(s.url);
  const unbatched = await Client.open(s.url);
  try {
    await subscribe(c, { topics: ["matches"] });
    await subscribe(unbatched, { topics: ["league:spain-laliga"] });
    // Published in one tick: after the first frame the socket is busy, the rest are queued.
    for (let i = 0; i < 20; i++) {
      s.broker.publish(oddsEvent({ id: `m${i}`, league: i % 2 ? "spain-laliga" : undefined }));
    }
    await c.until(() => c.events().length === 20);
    assert.deepEqual(c.events(), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.ok(c.batches >= 1);
    await unbatched.until(() => unbatched.events().length === 10);
    assert.deepEqual(unbatched.events(), Array.from({ length: 10 }, (_, i) => 2 * i + 2));
    const m = s.hub.metrics();
    assert.ok(m.batches_sent >= 2);
    assert.ok(m.batched_events >= 20);
    // Quiet again: the next event is its own frame.
    const before = c.batches;
    await new Promise((r) => setTimeout(r, 20));
    await s.broker.publish(oddsEvent({ id: "late" }));
    await c.until(() => c.events().length === 21);
    assert.equal(c.batches, before);
  } finally {
    await Promise.all([c.close(), unbatched.close()]);
    await s.close();
  }
});

Deno.test("hub: an epoch change asks for every connection's snapshot before awaiting any", async () => {
  let epochChanged: ((epoch: string) => void) | undefined;
  const asked: string[][] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const s = startWsServer({
    wrapLog: (log) => ({
      ...log,
      onEpochChange(listener) {
        epochChanged = listener;
        return () => epochChanged = undefined;
      },
    }),
    // Held until every connection asked: a resync awaiting each in turn would never get there.
    snapshot: async (topics) => {
      asked.push(topics);
      await released;
      return [];
    },
  });
  const clients = await Promise.all([0, 1, 2].map(() => Client.open(s.url)));
  try {
    for (const [i, c] of clients.entries()) await subscribe(c, { topics: [`match:m${i}`] });
    epochChanged!("e2");
    await eventually(() => asked.length === 3);
    release();
    for (const c of clients) {
      await c.until(() => c.of("subscribed").some((m) => m.epoch === "e2"));
    }
    assert.deepEqual(asked.map((t) => t.join()).sort(), ["match:m0", "match:m1", "match:m2"]);
  } finally {
    release();
    await Promise.all(clients.map((c) => c.close()));
    await s.close();
  }
});
