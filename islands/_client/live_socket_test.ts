import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import type {
  ClientMessage,
  LiveEventMessage,
  ServerMessage,
} from "../../server/domain/live_protocol.ts";
import {
  type ConnectionStatus,
  connectLive,
  type LiveConnection,
  type LiveMessage,
  type LiveSocketOptions,
} from "./live_socket.ts";

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: ClientMessage[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: ServerMessage) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

function odds(id: number): LiveEventMessage {
  return {
    type: "odds",
    event_id: id,
    topic: "matches",
    previous: null,
    match: {
      id: "m1",
      league: "england-premier-league",
      home_team: "Arsenal",
      away_team: "Chelsea",
      kickoff: "2026-11-28T15:00:00Z",
      source: "demo",
      odds: { x12: { home: 2, draw: 3.4, away: 3.6 } },
      opening_odds: { x12: { home: 2, draw: 3.4, away: 3.6 } },
      updated_at: "2026-11-28T12:00:00Z",
      value_bets: [],
    },
  };
}

Deno.test("connectLive: subscribes, reconnects with since and drops replayed duplicates", () => {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"],
  });
  FakeSocket.all = [];
  const seen: number[] = [];
  const statuses: ConnectionStatus[] = [];
  const connection = connectLive({
    topics: ["matches"],
    url: "ws://test/ws",
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    onMessage: (m) => {
      if (m.type === "odds") seen.push(m.event_id);
    },
    onStatus: (s) => statuses.push(s),
  });
  try {
    const first = FakeSocket.all[0];
    first.open();
    assert.deepEqual(first.sent[0], { type: "subscribe", topics: ["matches"] });
    first.receive({ type: "welcome", connection_id: "c1", last_event_id: 10, server_time: "" });
    first.receive(odds(11));
    first.receive(odds(12));
    first.drop();
    assert.equal(statuses.at(-1), "reconnecting");
    assert.equal(FakeSocket.all.length, 1, "waits before reconnecting");
    clock.tick(1_000);
    const second = FakeSocket.all[1];
    assert.ok(second, "reconnected after the backoff");
    second.open();
    assert.deepEqual(second.sent[0], { type: "subscribe", topics: ["matches"], since: 12 });
    second.receive(odds(12)); // replayed twice: dropped
    second.receive(odds(13));
    assert.deepEqual(seen, [11, 12, 13]);
    assert.equal(connection.lastEventId(), 13);
    assert.deepEqual(statuses, ["connecting", "live", "reconnecting", "reconnecting", "live"]);
  } finally {
    connection.close();
    clock.uninstall();
  }
  assert.equal(statuses.at(-1), "closed");
});

function valueBet(id: number): LiveEventMessage {
  return {
    type: "value_bet",
    event_id: id,
    topic: "value-bets",
    bet: {
      action: "open",
      match_id: "m1",
      league: "england-premier-league",
      home_team: "Arsenal",
      away_team: "Chelsea",
      kickoff: "2026-11-28T15:00:00Z",
      market: "1x2",
      selection: "home",
      odds: 2.4,
      bookmaker: "demo",
      books: 1,
      forecast: "fair",
      probability: 0.5,
      fair_odds: 2,
      expected_clv: null,
      expected_clv_ci95: null,
      edge: 0.2,
      kelly_fraction: 0.05,
    },
  };
}

Deno.test("connectLive: unpacks batch frames into single events, in order, without duplicates", () => {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"],
  });
  FakeSocket.all = [];
  const received: LiveMessage[] = [];
  const connection = connectLive({
    topics: ["matches", "value-bets"],
    url: "ws://test/ws",
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    onMessage: (m) => received.push(m),
  });
  const ids = () => received.flatMap((m) => "event_id" in m ? [`${m.type}:${m.event_id}`] : []);
  try {
    const first = FakeSocket.all[0];
    first.open();
    first.receive({ type: "welcome", connection_id: "c1", last_event_id: 10, server_time: "" });
    first.receive({ type: "batch", events: [odds(11), valueBet(12), odds(13)] });
    first.receive(odds(14));
    assert.deepEqual(ids(), ["odds:11", "value_bet:12", "odds:13", "odds:14"]);
    assert.equal(connection.lastEventId(), 14, "the last event of the frames seen");
    assert.ok(received.every((m) => (m.type as string) !== "batch"), "listeners never see a batch");
    assert.deepEqual(received[3], odds(13), "each element is delivered as it was sent");

    first.drop();
    clock.tick(1_000);
    const second = FakeSocket.all[1];
    second.open();
    assert.deepEqual(second.sent[0], {
      type: "subscribe",
      topics: ["matches", "value-bets"],
      since: 14,
    });
    // A batch overlapping what was already seen: only the new events get through.
    second.receive({ type: "batch", events: [odds(13), odds(14), valueBet(15), odds(16)] });
    second.receive({ type: "batch", events: [] });
    assert.deepEqual(ids(), [
      "odds:11",
      "value_bet:12",
      "odds:13",
      "odds:14",
      "value_bet:15",
      "odds:16",
    ]);
    assert.equal(connection.lastEventId(), 16);
  } finally {
    connection.close();
    clock.uninstall();
  }
});

Deno.test("connectLive: backoff doubles and is capped", () => {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"],
  });
  FakeSocket.all = [];
  const connection = connectLive({
    topics: ["value-bets"],
    url: "ws://test/ws",
    baseDelayMs: 100,
    maxDelayMs: 400,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    onMessage: () => {},
  });
  try {
    // Each failed attempt waits base * 2^n (with +-25 % jitter), capped at maxDelayMs.
    const waits = [100, 200, 400, 400];
    for (const [i, wait] of waits.entries()) {
      FakeSocket.all[i].drop();
      clock.tick(Math.floor(wait * 0.75) - 1);
      assert.equal(FakeSocket.all.length, i + 1, `attempt ${i + 2} not before ${wait * 0.75} ms`);
      clock.tick(Math.ceil(wait * 0.5) + 2);
      assert.equal(FakeSocket.all.length, i + 2, `attempt ${i + 2} by ${wait * 1.25} ms`);
    }
  } finally {
    connection.close();
    clock.uninstall();
  }
});

/** Runs `fn` on a connection over fake sockets with fake timers, then closes both. */
async function withFakeConnection(
  options: Omit<LiveSocketOptions, "topics" | "url" | "WebSocket">,
  fn: (
    connection: LiveConnection,
    clock: ReturnType<typeof FakeTimers.install>,
  ) => void | Promise<void>,
): Promise<void> {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"],
  });
  FakeSocket.all = [];
  const connection = connectLive({
    topics: ["matches"],
    url: "ws://test/ws",
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    ...options,
  });
  try {
    await fn(connection, clock);
  } finally {
    connection.close();
    clock.uninstall();
  }
}

const first = odds(1);
const SNAPSHOT_MATCH = first.type === "odds" ? first.match : undefined!;

Deno.test("connectLive: sends its epoch with since and resyncs when the gap is not recovered", async (t) => {
  const seen: number[] = [];
  const resyncs: (string[] | undefined)[] = [];
  const options: Omit<LiveSocketOptions, "topics"> = {
    onMessage: (m) => {
      if (m.type === "odds") seen.push(m.event_id);
    },
    onResync: (snapshot) => resyncs.push(snapshot?.map((m) => m.id)),
  };
  await withFakeConnection(options, async (connection, clock) => {
    const reconnect = () => {
      FakeSocket.all.at(-1)!.drop();
      clock.tick(1_000);
      const next = FakeSocket.all.at(-1)!;
      next.open();
      return next;
    };
    const subscribed = (last: number, epoch: string, recovered?: boolean): ServerMessage => ({
      type: "subscribed",
      topics: ["matches"],
      replayed: 0,
      truncated: recovered === false,
      last_event_id: last,
      epoch,
      ...(recovered === undefined ? {} : { recovered }),
      ...(recovered === false ? { snapshot: [SNAPSHOT_MATCH] } : {}),
    });
    const first = FakeSocket.all[0];
    first.open();
    first.receive({
      type: "welcome",
      connection_id: "c1",
      last_event_id: 10,
      server_time: "",
      epoch: "e1",
    });
    first.receive(subscribed(10, "e1"));
    first.receive(odds(11));
    assert.equal(connection.epoch(), "e1");

    await t.step("a recovered replay needs no resync", () => {
      const second = reconnect();
      assert.deepEqual(second.sent[0], {
        type: "subscribe",
        topics: ["matches"],
        since: 11,
        epoch: "e1",
      });
      second.receive(odds(12));
      second.receive(subscribed(12, "e1", true));
      assert.deepEqual(resyncs, []);
    });

    await t.step("recovered: false rebuilds from the snapshot and follows the new epoch", () => {
      const third = reconnect();
      assert.deepEqual(third.sent[0], {
        type: "subscribe",
        topics: ["matches"],
        since: 12,
        epoch: "e1",
      });
      third.receive(subscribed(3, "e2", false));
      assert.deepEqual(resyncs, [["m1"]]);
      assert.equal(connection.epoch(), "e2");
      // Ids restarted with the epoch: the new epoch's events are not dropped as duplicates.
      third.receive(odds(4));
      assert.deepEqual(seen, [11, 12, 4]);
    });

    await t.step("an epoch change told without recovered (older server) also resyncs", () => {
      const fourth = reconnect();
      assert.deepEqual(fourth.sent[0], {
        type: "subscribe",
        topics: ["matches"],
        since: 4,
        epoch: "e2",
      });
      fourth.receive(subscribed(1, "e3"));
      assert.equal(resyncs.length, 2);
      assert.equal(resyncs[1], undefined, "no snapshot was sent");
      assert.equal(connection.lastEventId(), 1);
    });
  });
});

Deno.test("connectLive: a truncated embedded replay resyncs; no epoch is sent without one", async () => {
  let resyncs = 0;
  const options = { since: 40, onMessage: () => {}, onResync: () => resyncs++ };
  await withFakeConnection(options, (connection) => {
    const first = FakeSocket.all[0];
    first.open();
    assert.deepEqual(first.sent[0], { type: "subscribe", topics: ["matches"], since: 40 });
    first.receive({ type: "welcome", connection_id: "c1", last_event_id: 900, server_time: "" });
    first.receive({
      type: "subscribed",
      topics: ["matches"],
      replayed: 0,
      truncated: true,
      last_event_id: 900,
    });
    assert.equal(resyncs, 1);
    assert.equal(connection.lastEventId(), 900);
  });
});
