/**
 * The full app (pages, API, WebSocket hub, alerts) over the embedded demo bookmaker and the
 * in-memory engine, listening on a loopback port. Used by the browser tests and `bench web`;
 * the demo bookmaker moves prices only when told (`tick()` + `scrape()`), so tests are
 * deterministic.
 * @module
 */
import { createApp } from "../http/app.ts";
import { loadConfig } from "../ops/config.ts";
import {
  closeServices,
  createPredictions,
  createServices,
  type Services,
} from "../services/services.ts";
import { createMemoryLogger } from "../ops/logger.ts";
import { createMetrics } from "../ops/metrics.ts";
import { openAlertEngine } from "../live/alerts.ts";
import { createLocalBroker } from "../live/broker.ts";
import { type DemoBookmaker, startDemoBookmaker } from "../live/demo_bookmaker.ts";
import { DEMO_TEAMS } from "../live/demo_teams.ts";
import { createMemoryEventLog } from "../live/event_log.ts";
import { createHub } from "../live/hub.ts";
import { createMemoryOddsStore } from "../live/odds_store.ts";
import { createLivePipeline } from "../live/pipeline.ts";
import { createSourceMetrics } from "../live/source_metrics.ts";
import { demoSources } from "../live/sources.ts";
import { canonicalTeam } from "../domain/team_aliases.ts";
import {
  createMemoryEngine,
  type MemoryEngine,
  type MemoryLeague,
} from "../predict/memory_engine.ts";
import { createWebLayer, type WebLayer } from "../web/web_layer.ts";
import type { ClientBuild } from "../web/build.ts";

/** Leagues the demo serves (with memory-engine predictions). */
export const DEMO_LEAGUES = ["england-premier-league", "spain-laliga"] as const;

/** Options of {@link startDemoApp}. */
export interface DemoAppOptions {
  /** A ready client build (saves the esbuild run). @default built here */
  build?: ClientBuild;
  /** Fixtures per league. @default 4 */
  matchesPerLeague?: number;
  /** Folder of model cards for the `/model` page. @default the project's `models/` */
  modelsDir?: string;
  /** Environment for `loadConfig`. @default rate limiting off */
  env?: Record<string, string>;
}

/** A running demo app. */
export interface DemoApp {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  services: Services;
  web: WebLayer;
  demo: DemoBookmaker;
  engine: MemoryEngine;
  /** The app's fetch handler, for in-process requests without the network. */
  fetch(request: Request): Response | Promise<Response>;
  /** Scrapes the demo bookmaker now (publishes changed prices over the hub). */
  scrape(): Promise<void>;
  close(): Promise<void>;
}

/** Memory-engine leagues over the demo bookmaker's team names, with varied strengths. */
export function demoEngineLeagues(): Record<string, MemoryLeague> {
  const out: Record<string, MemoryLeague> = {};
  for (const league of DEMO_LEAGUES) {
    const names = DEMO_TEAMS[league] ?? [];
    out[league] = {
      homeGoals: 1.5,
      awayGoals: 1.18,
      teams: names.map((name, i) => ({
        name,
        aliases: [],
        // Deterministic spread of strengths, strongest first in a rotated order.
        attack: 0.75 + ((i * 7) % names.length) / names.length * 0.7,
        defence: 0.7 + ((i * 11) % names.length) / names.length * 0.6,
      })),
    };
  }
  return out;
}

/** Starts the demo app on 127.0.0.1 with an ephemeral port. */
export async function startDemoApp(options: DemoAppOptions = {}): Promise<DemoApp> {
  const abort = new AbortController();
  const signal = abort.signal;
  const kv = await Deno.openKv(":memory:");
  const engine = createMemoryEngine({ leagues: demoEngineLeagues() });
  const config = loadConfig({ LOG_LEVEL: "warn", ENABLE_RATE_LIMITING: "false", ...options.env });
  const demo = await startDemoBookmaker({
    leagues: [...DEMO_LEAGUES],
    tickMs: 0,
    matchesPerLeague: options.matchesPerLeague ?? 4,
  }, signal);
  const log = createMemoryEventLog();
  const broker = createLocalBroker(log);
  const hub = createHub({ log, broker, signal });
  const alerts = await openAlertEngine({ broker, signal });
  const store = createMemoryOddsStore();
  const sources = demoSources(demo, 60_000);
  const scrapeAll = async () => {
    for (const s of sources) await pipeline.scrapeOnce(s.name);
  };
  const metrics = createSourceMetrics({});
  const serviceMetrics = createMetrics({ defaultMetrics: false });
  const predictions = createPredictions({ config, engine, metrics: serviceMetrics });
  const pipeline = createLivePipeline({
    sources,
    store,
    predictions,
    broker,
    signal,
    metrics,
    canonicalTeam,
    start: false,
    log: () => {},
  });
  const services = createServices({
    config,
    kv,
    engine,
    logger: createMemoryLogger("warn"),
    metrics: serviceMetrics,
    predictions,
    live: { feed: { store, pipeline, metrics, sources, demo }, hub, alerts },
  });
  const web = await createWebLayer({ build: options.build, modelsDir: options.modelsDir });
  const app = await createApp(services, { web });
  await scrapeAll();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal, onListen: () => {} },
    app.fetch,
  );
  const addr = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    services,
    web,
    demo,
    engine,
    fetch: (request) => app.fetch(request),
    scrape: scrapeAll,
    async close() {
      abort.abort();
      hub.close();
      await server.finished;
      await pipeline.done;
      await alerts.close();
      await demo.close();
      await closeServices(services);
      await log.close();
      kv.close();
    },
  };
}

if (import.meta.main) {
  const app = await startDemoApp();
  console.log(`Demo app on ${app.url} (Ctrl-C to stop; "t" + Enter moves prices)`);
  for await (const chunk of Deno.stdin.readable) {
    if (new TextDecoder().decode(chunk).trim() === "t") {
      app.demo.tick();
      await app.scrape();
      console.log("Prices moved");
    }
  }
}
