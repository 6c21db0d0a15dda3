/**
 * The server process of `deno task bench ws`: the real `/ws` route and hub on `Deno.serve` (or,
 * with `--guarded`, behind the guarded upgrade on node:http as in production), with
 * a KV event log, publishing realistic odds events (as the pipeline does: a prediction summary) when told to on
 * stdin. Prints JSON lines: `ready`, `rss`, `broadcast_done`, `sustain_done`, `metrics`.
 * @module
 */
import { Hono } from "hono";
import type { AppEnv } from "../server/http/app_env.ts";
import type { Services } from "../server/services/services.ts";
import type { UpcomingMatch } from "../server/domain/live_protocol.ts";
import { handler as wsHandler } from "../routes/ws.ts";
import { createLocalBroker } from "../server/live/broker.ts";
import { openKvEventLog } from "../server/live/event_log.ts";
import { createHub } from "../server/live/hub.ts";
import { createGuardedUpgrade } from "../server/live/guarded_upgrade.ts";
import { type FetchHandler, NodeListener } from "../server/http/node_listener.ts";
import { createMemoryEngine } from "../server/predict/memory_engine.ts";
import { loadConfig } from "../server/ops/config.ts";
import { summarizePrediction } from "../server/live/upcoming_view.ts";
import { createMemoryTrimmer, lastResortGc, type V8Gc } from "../server/ops/memory_trim.ts";
import process from "node:process";
import { emit, JsonLines } from "./ws_lines.ts";
import { FleetBroker } from "../server/fleet/fleet_broker.ts";
import { FleetRedis } from "../server/fleet/redis_client.ts";

const kvPath = Deno.args.find((a) => a.startsWith("--kv="))?.slice(5) ?? ":memory:";
// `--bare`: no hub, route or log, just Deno.upgradeWebSocket and a send loop: the runtime's floor.
const bare = Deno.args.includes("--bare");
// `--full`: odds events carry the whole prediction (score matrix, exact-score / totals / handicap
// tables) instead of the summary the pipeline publishes: to show what message size costs.
const full = Deno.args.includes("--full");
// `--fleet-url=redis://... --fleet-prefix=p:`: the fleet broker over Redis instead of the local
// one; several such servers on one prefix each fan out every event one of them publishes.
const fleetUrl = Deno.args.find((a) => a.startsWith("--fleet-url="))?.slice(12);
const fleetPrefix = Deno.args.find((a) => a.startsWith("--fleet-prefix="))?.slice(15);
const kv = await Deno.openKv(kvPath);
const fleetRedis = fleetUrl
  ? new FleetRedis({ url: fleetUrl, keyPrefix: fleetPrefix, logger: { warn() {}, info() {} } })
  : undefined;
if (fleetRedis) await fleetRedis.whenUp(5000);
const log = fleetRedis ? await FleetBroker.open(fleetRedis) : await openKvEventLog(kv);
const broker = log instanceof FleetBroker ? log : createLocalBroker(log);
const ac = new AbortController();
const hub = createHub({
  log,
  broker: bare ? undefined : broker,
  signal: ac.signal,
  limits: { maxConnectionsPerAddress: 1_000_000 },
  // The production default (server/live/live_services.ts).
  batchMs: Number(Deno.args.find((a) => a.startsWith("--batch-ms="))?.slice(11) ?? 25),
});
const config = loadConfig(Deno.env.toObject());
const app = new Hono<AppEnv>();
app.use(async (c, next) => {
  c.set("services", { hub, config } as unknown as Services);
  await next();
});
app.get("/ws", wsHandler.GET!);

const bareSockets = new Set<WebSocket>();
function bareHandler(req: Request): Response {
  const { socket, response } = Deno.upgradeWebSocket(req);
  socket.onopen = () =>
    socket.send(JSON.stringify({ type: "welcome", connection_id: "bare", last_event_id: 0 }));
  socket.onmessage = () => {
    bareSockets.add(socket);
    socket.send(JSON.stringify({ type: "subscribed", topics: ["matches"], replayed: 0 }));
  };
  socket.onclose = () => bareSockets.delete(socket);
  return response;
}
broker.subscribe((e) => {
  if (!bare) return;
  for (const socket of bareSockets) socket.send(e.json);
});

// `--guarded`: the hub behind the size-limited upgrade on node:http, as `WS_SERVER=guarded`.
const port = Deno.args.includes("--guarded")
  ? await new NodeListener(app.fetch as FetchHandler, {
    port: 0,
    hostname: "127.0.0.1",
    upgrade: createGuardedUpgrade(hub),
  }).listening
  : Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
    bare ? bareHandler : app.fetch,
  ).addr.port;

// A real prediction from the in-memory Poisson engine, so messages have their production size.
const engine = createMemoryEngine();
const prediction = await engine.predict({
  league: "england-premier-league",
  home_team: "Arsenal",
  away_team: "Liverpool",
  odds: { home: 2.6, draw: 3.4, away: 2.7 },
});
const summary = summarizePrediction(prediction);
const LEAGUES = [
  "england-premier-league",
  "spain-laliga",
  "germany-bundesliga",
  "italy-serie-a",
  "france-ligue-1",
  "netherlands-eredivisie",
  "belgium-jupiler-pro-league",
  "egypt-premier-league",
];

let seq = 0;
function nextMatch(): UpcomingMatch {
  const n = seq++;
  const drift = (n % 50) / 1000;
  const odds = { x12: { home: 2.6 + drift, draw: 3.4, away: 2.7 - drift }, over_2_5: 1.9 };
  return {
    id: `bench:2030-01-01:home-${n % 50}:away-${n % 50}`,
    league: LEAGUES[n % LEAGUES.length],
    home_team: "Arsenal",
    away_team: "Liverpool",
    kickoff: "2030-01-01T15:00:00.000Z",
    source: "demo",
    odds,
    opening_odds: odds,
    // The publish time: clients measure delivery latency from it.
    updated_at: new Date().toISOString(),
    prediction: full ? prediction : summary,
    value_bets: prediction.value_bets,
  };
}

// The production server trims freed native memory every 30 s and, a quiet second after a burst
// (10,000 connections arriving is one), runs V8's last-resort collection and trims
// (server/ops/memory_trim.ts, server/main.ts). RSS is read after that same collection and a trim: the
// steady state a connection burst settles to.
const trimmer = createMemoryTrimmer({ intervalMs: 30_000 });
const collectGarbage = lastResortGc((globalThis as { gc?: V8Gc }).gc);
function rss(): number {
  collectGarbage?.();
  trimmer.trim();
  return Deno.memoryUsage().rss;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

emit({
  type: "ready",
  port,
  rss: rss(),
  heap: Deno.memoryUsage().heapUsed,
  message_bytes: 0,
});
const sample = JSON.stringify({ type: "odds", event_id: 1, topic: "matches", match: nextMatch() });
seq = 0;
emit({ type: "sample", message_bytes: new TextEncoder().encode(sample).length });

const input = new JsonLines(Deno.stdin.readable);
for (;;) {
  let cmd: Record<string, number | string>;
  try {
    cmd = await input.next("cmd", 24 * 3600_000);
  } catch {
    break;
  }
  if (cmd.cmd === "rss") {
    await sleep(200);
    emit({ type: "rss", rss: rss(), heap: Deno.memoryUsage().heapUsed, ...hub.metrics() });
  } else if (cmd.cmd === "broadcast") {
    const first = log.lastId() + 1;
    const sendMs: number[] = [];
    const cpuMs: number[] = [];
    for (let i = 0; i < Number(cmd.count); i++) {
      const match = nextMatch();
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      // publish() serialises and hands the frame to every socket synchronously; the promise
      // then waits for the KV write, which is not part of the send loop.
      const persisted = broker.publish({ type: "odds", match, previous: null });
      sendMs.push(performance.now() - t0);
      // CPU time (user + system) barely depends on what else the machine runs, unlike the
      // loop's wall time: it is the figure to compare changes of the send path by.
      const cpu = process.cpuUsage(cpu0);
      cpuMs.push((cpu.user + cpu.system) / 1000);
      await persisted;
      await sleep(Number(cmd.intervalMs));
    }
    emit({
      type: "broadcast_done",
      first_id: first,
      last_id: log.lastId(),
      send_ms: sendMs,
      cpu_ms: cpuMs,
    });
  } else if (cmd.cmd === "sustain") {
    const rate = Number(cmd.rate);
    const durationMs = Number(cmd.durationMs);
    const first = log.lastId() + 1;
    const start = performance.now();
    let published = 0;
    let maxLagMs = 0;
    const perTopic: Record<string, number> = {};
    const publishOne = () => {
      const match = nextMatch();
      for (const t of [`match:${match.id}`, `league:${match.league}`, "matches"]) {
        perTopic[t] = (perTopic[t] ?? 0) + 1;
      }
      broker.publish({ type: "odds", match, previous: null });
      published++;
    };
    // Publish on a 10 ms tick, catching up so the average rate holds even if a tick is late.
    while (performance.now() - start < durationMs) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      maxLagMs = Math.max(maxLagMs, ((due - published) / rate) * 1000);
      while (published < due) publishOne();
      await sleep(10);
    }
    const target = Math.round((durationMs / 1000) * rate);
    while (published < target) publishOne();
    emit({
      type: "sustain_done",
      first_id: first,
      last_id: log.lastId(),
      published,
      elapsed_ms: performance.now() - start,
      max_lag_ms: maxLagMs,
      per_topic: perTopic,
      ...hub.metrics(),
    });
  } else if (cmd.cmd === "metrics") {
    emit({ type: "metrics", ...hub.metrics(), log: log.stats() });
  } else if (cmd.cmd === "exit") {
    break;
  }
}
ac.abort();
trimmer.close();
await log.close();
await fleetRedis?.close();
kv.close();
Deno.exit(0);
