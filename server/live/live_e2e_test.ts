/**
 * End to end over real sockets with the committed ONNX models: a price change on the demo
 * bookmaker reaches a subscribed WebSocket client as `odds` and, when the edge crosses the
 * threshold, `value_bet open`, within a second; a reconnect with `since` gets exactly the
 * missed events.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { ServerMessage } from "../domain/live_protocol.ts";
import { createOnnxEngine } from "../ml/onnx_engine.ts";
import { createModelRegistry } from "../ml/registry.ts";
import { createApp } from "../http/app.ts";
import { loadConfig } from "../ops/config.ts";
import { closeServices, createPredictions, createServices } from "../services/services.ts";
import { createMemoryLogger } from "../ops/logger.ts";
import { createMetrics } from "../ops/metrics.ts";
import { DEMO_BOOKS } from "./demo_market.ts";
import { openLiveServices } from "./live_services.ts";

type EventMessage = Extract<ServerMessage, { event_id: number }>;

function client(url: string) {
  const ws = new WebSocket(url);
  const messages: ServerMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.onmessage = (e) => {
    // The hub coalesces events into `batch` frames when a socket is busy: unpack them as the
    // browser client does, so every event is checked individually and in order.
    const frame: ServerMessage = JSON.parse(e.data);
    messages.push(...(frame.type === "batch" ? frame.events : [frame]));
    for (const w of waiters.splice(0)) w();
  };
  const opened = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("WebSocket failed"));
  });
  /** Resolves with the first message matching `pred`, or rejects after `ms`. */
  async function next<T extends ServerMessage>(
    pred: (m: ServerMessage) => m is T,
    ms: number,
    from = 0,
  ): Promise<T> {
    const deadline = Date.now() + ms;
    while (true) {
      const found = messages.slice(from).find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No matching message within ${ms} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }
  const closed = new Promise<void>((resolve) => ws.addEventListener("close", () => resolve()));
  return {
    ws,
    messages,
    opened,
    next,
    send: (m: unknown) => ws.send(JSON.stringify(m)),
    async close() {
      ws.close();
      await closed;
    },
  };
}

Deno.test("live: a demo price change reaches WebSocket subscribers with odds and value_bet, and since replays", async () => {
  const kv = await Deno.openKv(":memory:");
  const registry = createModelRegistry({
    dir: fileURLToPath(new URL("../../models", import.meta.url)),
    skipRemote: true,
  });
  await registry.init();
  const engine = createOnnxEngine(registry);
  const abort = new AbortController();
  const metrics = createMetrics({ defaultMetrics: false });
  const config = loadConfig({
    LOG_LEVEL: "error",
    DEMO_TICK_MS: "100000",
    DEMO_SCRAPE_MS: "100000",
    MODEL_DIR: fileURLToPath(new URL("../../models", import.meta.url)),
  });
  const predictions = createPredictions({ config, engine, metrics });
  const layer = await openLiveServices({
    predictions,
    kv,
    signal: abort.signal,
    config,
    log: () => {},
  });
  const services = createServices({
    config,
    kv,
    engine,
    logger: createMemoryLogger("error"),
    metrics,
    predictions,
    live: layer,
  });
  const app = await createApp(services);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen: () => {} },
    app.fetch,
  );
  const url = `ws://127.0.0.1:${(server.addr as Deno.NetAddr).port}/ws`;
  try {
    await layer.feed.pipeline.scrapeOnce("demo-sharp");
    const a = client(url);
    await a.opened;
    a.send({ type: "subscribe", topics: ["matches", "value-bets"] });
    await a.next(
      (m): m is Extract<ServerMessage, { type: "subscribed" }> => m.type === "subscribed",
      10_000,
    );

    const fixture = layer.feed.demo!.fixtures()[0];
    const { league, home_team, away_team } = fixture;
    const p = (await engine.predict({ league, home_team, away_team })).probabilities;
    // A home price twice the model's fair one: the fair forecast (model blended with this one
    // book's de-margined price) still finds value.
    const generous = Math.round((2 / p.home_win) * 100) / 100;
    layer.feed.demo!.setPrice(fixture.id, { x12: { home: generous } });
    await layer.feed.pipeline.scrapeOnce("demo-sharp");
    const odds = await a.next(
      (m): m is Extract<ServerMessage, { type: "odds" }> =>
        m.type === "odds" && m.match.home_team === fixture.home_team &&
        m.match.odds.x12.home === generous,
      10_000,
    );
    const bet = await a.next(
      (m): m is Extract<ServerMessage, { type: "value_bet" }> =>
        // The replayed market is not our model's view: the home bet may already be open.
        m.type === "value_bet" && m.bet.action !== "close" && m.bet.selection === "home" &&
        m.bet.home_team === fixture.home_team,
      10_000,
    );
    assert.ok(odds.match.prediction, "odds carry the re-computed prediction");
    assert.deepEqual(
      Object.keys(odds.match.prediction).sort(),
      ["expected_goals", "fair_odds", "model", "probabilities"],
      "as a summary: no score matrix or market tables",
    );
    assert.ok(odds.match.value_bets.some((b) => b.selection === "home" && b.odds === generous));
    assert.ok(bet.bet.edge >= 0.03 && bet.bet.odds === generous);
    assert.ok(Math.abs(bet.bet.edge - (bet.bet.probability * bet.bet.odds - 1)) < 1e-9);
    const lastSeen = Math.max(...a.messages.map((m) => "event_id" in m ? m.event_id : 0));
    await a.close();

    // While the client is away every book's home price moves below fair: the value bet closes
    // (with one book left generous, the bet would stay open at that book's price).
    for (const book of DEMO_BOOKS) {
      layer.feed.demo!.setPrice(fixture.id, {
        x12: { home: Math.round((0.9 / p.home_win) * 100) / 100 },
      }, book.name);
      await layer.feed.pipeline.scrapeOnce(book.name);
    }
    const missed = (await layer.log.since(["matches", "value-bets"], lastSeen)).events;
    assert.ok(missed.length >= 2, "an odds event and a value_bet close were published");

    const b = client(url);
    await b.opened;
    b.send({ type: "subscribe", topics: ["matches", "value-bets"], since: lastSeen });
    await b.next(
      (m): m is Extract<ServerMessage, { type: "subscribed" }> => m.type === "subscribed",
      10_000,
    );
    const replayed = b.messages.filter((m): m is EventMessage => "event_id" in m);
    assert.deepEqual(
      replayed.map((m) => m.event_id),
      missed.map((e) => e.event_id),
      "exactly the missed events, in order, no duplicates",
    );
    assert.ok(
      replayed.some((m) => m.type === "value_bet" && m.bet.action === "close"),
      "the replay includes the close",
    );
    await b.close();

    const health = await (await fetch(url.replace("ws:", "http:").replace("/ws", "/health")))
      .json();
    assert.equal(health.components.live_odds.sources["demo-sharp"].breaker, "closed");
    assert.ok(health.components.live_odds.sources["demo-sharp"].successes >= 3);
    assert.equal(typeof health.components.websocket.connections, "number");
  } finally {
    abort.abort();
    await server.finished;
    await layer.close();
    await closeServices(services);
    await registry.close();
    kv.close();
  }
});
