/**
 * Wires the live odds side of one app instance: sources (the `ODDS_SOURCES` file, plus the demo
 * bookmaker unless `DEMO_BOOKMAKER=false`), the odds store, per-source metrics and the pipeline.
 * `server/main.ts` calls {@link startOddsFeed} and puts the result on `services.live`.
 * @module
 */
import type { Registry } from "prom-client";
import type { PredictionEngine } from "../domain/prediction.ts";
import { canonicalTeam } from "../domain/team_aliases.ts";
import { type DemoBookmaker, startDemoBookmaker } from "./demo_bookmaker.ts";
import { createKvOddsStore, createMemoryOddsStore, type OddsStore } from "./odds_store.ts";
import type { EventPublisher } from "./change_detection.ts";
import { createLivePipeline, type LivePipeline } from "./pipeline.ts";
import { createSourceMetrics, type SourceMetrics } from "./source_metrics.ts";
import { demoSource, loadSourcesFile, type SourceConfig } from "./sources.ts";

/** What routes use of the live side (`c.get("services").live`). */
export interface OddsFeed {
  store: OddsStore;
  pipeline: LivePipeline;
  metrics: SourceMetrics;
  sources: SourceConfig[];
  /** The embedded demo bookmaker, when running. */
  demo?: DemoBookmaker;
}

/** Live configuration, from environment variables. */
export interface LiveConfig {
  /** `DEMO_BOOKMAKER`: run and scrape the embedded demo bookmaker. @default true */
  demoBookmaker: boolean;
  /** `ODDS_SOURCES`: JSON file listing extra sources. @default undefined */
  sourcesFile?: string;
  /** `DEMO_TICK_MS`: time between two demo price moves. @default 3000 */
  demoTickMs: number;
  /** `DEMO_SCRAPE_MS`: time between two scrapes of the demo board. @default 2000 */
  demoScrapeMs: number;
  /** `MODEL_DIR`: where the demo reads team names from model cards. @default "models" */
  modelsDir: string;
  /** `ODDS_HISTORY_PER_SOURCE`: price changes kept per match and source. @default 200 */
  historyPerSource: number;
}

/** Names of the environment variables {@link liveConfigFromEnv} reads. */
export const LIVE_CONFIG_VARIABLES = [
  "DEMO_BOOKMAKER",
  "ODDS_SOURCES",
  "DEMO_TICK_MS",
  "DEMO_SCRAPE_MS",
  "MODEL_DIR",
  "ODDS_HISTORY_PER_SOURCE",
] as const;

function intVar(env: Record<string, string | undefined>, name: string, def: number, min: number) {
  const v = env[name]?.trim();
  if (!v) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(
      `Invalid configuration: ${name}: Expected an integer of at least ${min}, got "${v}"`,
    );
  }
  return n;
}

/** Reads the live configuration; throws an Error naming a bad variable. */
export function liveConfigFromEnv(env: Record<string, string | undefined>): LiveConfig {
  const demo = (env.DEMO_BOOKMAKER ?? "true").trim().toLowerCase();
  if (!["1", "true", "yes", "on", "0", "false", "no", "off"].includes(demo)) {
    throw new Error(
      `Invalid configuration: DEMO_BOOKMAKER: Expected true or false, got "${env.DEMO_BOOKMAKER}"`,
    );
  }
  return {
    demoBookmaker: ["1", "true", "yes", "on"].includes(demo),
    sourcesFile: env.ODDS_SOURCES?.trim() || undefined,
    demoTickMs: intVar(env, "DEMO_TICK_MS", 3_000, 100),
    demoScrapeMs: intVar(env, "DEMO_SCRAPE_MS", 2_000, 100),
    modelsDir: env.MODEL_DIR?.trim() || "models",
    historyPerSource: intVar(env, "ODDS_HISTORY_PER_SOURCE", 200, 1),
  };
}

/** Options of {@link startOddsFeed}. */
export interface OddsFeedOptions {
  engine: PredictionEngine;
  /** Stops the demo bookmaker and every scrape loop. */
  signal: AbortSignal;
  /** Receives `odds` and `value_bet` events (the hub's broker). @default none */
  broker?: EventPublisher;
  /** Deno KV for the odds store; the caller closes it. @default an in-memory store */
  kv?: Deno.Kv;
  /** prom-client registry for the per-source metrics (`/metrics`). @default none */
  registry?: Registry;
  /** @default liveConfigFromEnv(Deno.env.toObject()) */
  config?: LiveConfig;
  /** @default console.warn */
  log?: (message: string) => void;
}

/**
 * Starts the live side: loads sources, starts the demo bookmaker (unless switched off) and the
 * pipeline. Resolves once everything listens; stop it by aborting `signal`, then await
 * `live.pipeline.done` and `live.demo?.close()`.
 */
export async function startOddsFeed(options: OddsFeedOptions): Promise<OddsFeed> {
  const config = options.config ?? liveConfigFromEnv(Deno.env.toObject());
  const sources = config.sourcesFile ? await loadSourcesFile(config.sourcesFile) : [];
  let demo: DemoBookmaker | undefined;
  if (config.demoBookmaker) {
    const engine = options.engine;
    demo = await startDemoBookmaker({
      tickMs: config.demoTickMs,
      modelsDir: config.modelsDir,
      // Prices drift around what the model expects, so value bets open only when the walk
      // strays further than the margin.
      expectedGoals: async (f) => (await engine.predict(f, options.signal)).expected_goals,
    }, options.signal);
    if (sources.some((s) => s.name === "demo")) {
      throw new Error(
        `Cannot start live odds: source name "demo" is reserved for the demo bookmaker`,
      );
    }
    sources.unshift(demoSource(demo.url, config.demoScrapeMs));
  }
  const store = options.kv
    ? createKvOddsStore(options.kv, { historyPerSource: config.historyPerSource })
    : createMemoryOddsStore({ historyPerSource: config.historyPerSource });
  const metrics = createSourceMetrics({ registry: options.registry });
  const pipeline = createLivePipeline({
    sources,
    store,
    engine: options.engine,
    broker: options.broker,
    signal: options.signal,
    metrics,
    canonicalTeam,
    log: options.log,
  });
  return { store, pipeline, metrics, sources, demo };
}
