/**
 * Wires the live odds side of one app instance: sources (the `ODDS_SOURCES` file, plus the demo
 * bookmaker unless `DEMO_BOOKMAKER=false`), the odds store, per-source metrics and the pipeline.
 * `live_services.ts` calls {@link startOddsFeed}; the services hold the result as `services.live`.
 * @module
 */
import type { Registry } from "prom-client";
import type { LiveConfig } from "../ops/config.ts";
import type { PredictionService } from "../predict/prediction_service.ts";
import { canonicalTeam } from "../domain/team_aliases.ts";
import { type DemoBookmaker, startDemoBookmaker } from "./demo_bookmaker.ts";
import { createKvOddsStore, createMemoryOddsStore, type OddsStore } from "./odds_store.ts";
import type { EventPublisher } from "./change_detection.ts";
import { createLivePipeline, type LivePipeline } from "./pipeline.ts";
import { createSourceMetrics, type SourceMetrics } from "./source_metrics.ts";
import { demoSources, isDemoSource, loadSourcesFile, type SourceConfig } from "./sources.ts";
import type { FleetRedis } from "../fleet/redis_client.ts";
import { createRedisOddsStore } from "../fleet/redis_odds_store.ts";
import { createRedisValueBets } from "../fleet/redis_value_bets.ts";
import { SourceLeaders } from "../fleet/source_leaders.ts";
import type { FencedWrites } from "../fleet/fenced_writes.ts";

/** What routes use of the live side (`c.get("services").live`). */
export interface OddsFeed {
  store: OddsStore;
  pipeline: LivePipeline;
  metrics: SourceMetrics;
  sources: SourceConfig[];
  /** The embedded demo bookmaker, when running. */
  demo?: DemoBookmaker;
  /** Fleet mode: who scrapes each source, and what the leaders publish of them. */
  leaders?: SourceLeaders;
  /** Fleet mode: the writes the fence refused this instance, by kind. */
  fenced?: FencedWrites;
}

/** Fleet mode of the feed. */
export interface FleetFeedOptions {
  redis: FleetRedis;
  /** Life of a source lease. @default 10000 */
  leaseTtlMs?: number;
  /** This instance started (`true`) or stopped leading a source: the leadership gauge. */
  onLeaderChange?: (source: string, leader: boolean) => void;
  /** Gets the leases before the first scrape (the broker fences its events with them). */
  onLeaders?: (leaders: SourceLeaders) => void;
  /** Counts the odds and value-bet writes the fence refuses. @default not counted */
  fenced?: FencedWrites;
}

/** Options of {@link startOddsFeed}. */
export interface OddsFeedOptions {
  /** Predicts live matches (the REST prediction service). */
  predictions: PredictionService;
  /** Stops the demo bookmaker and every scrape loop. */
  signal: AbortSignal;
  /** Receives `odds` and `value_bet` events (the hub's broker). @default none */
  broker?: EventPublisher;
  /** Deno KV for the odds store; the caller closes it. @default an in-memory store */
  kv?: Deno.Kv;
  /** prom-client registry for the per-source metrics (`/metrics`). @default none */
  registry?: Registry;
  /** The live settings of the configuration (`Config.live`). */
  config: LiveConfig;
  /** Where the demo bookmaker reads team names from model cards (`MODEL_DIR`). @default "models" */
  modelsDir?: string;
  /** The shared data folder whose price moves the demo replays (`DATA_DIR`). @default "../shared/data" */
  dataDir?: string;
  /** @default console.warn */
  log?: (message: string) => void;
  /**
   * Fleet mode: the odds store lives in Redis and each source is scraped only by the instance
   * holding its lease, every write fenced by the lease's token. @default embedded
   */
  fleet?: FleetFeedOptions;
}

/**
 * Starts the live side: loads sources, starts the demo bookmaker (unless switched off) and the
 * pipeline. Resolves once everything listens; stop it by aborting `signal`, then await
 * `live.pipeline.done` and `live.demo?.close()`.
 */
export async function startOddsFeed(options: OddsFeedOptions): Promise<OddsFeed> {
  const config = options.config;
  const sources = config.sourcesFile ? await loadSourcesFile(config.sourcesFile) : [];
  let demo: DemoBookmaker | undefined;
  if (config.demoBookmaker) {
    const taken = sources.find((s) => isDemoSource(s.name));
    if (taken) {
      throw new Error(
        `Cannot start live odds: source name "${taken.name}" is reserved for the demo market ` +
          `(names "demo" and "demo-..."): rename it in the sources file`,
      );
    }
    // Prices replay real opening -> closing moves, never our model's view: value appears only
    // where the demo books disagree with each other.
    demo = await startDemoBookmaker({
      tickMs: config.demoTickMs,
      kickoffEveryMs: config.demoKickoffEveryMs,
      modelsDir: options.modelsDir ?? "models",
      dataDir: options.dataDir,
      log: options.log,
    }, options.signal);
    sources.unshift(...demoSources(demo, config.demoScrapeMs));
  }
  const metrics = createSourceMetrics({ registry: options.registry });
  // The leaders describe sources with the pipeline's reports, and the pipeline needs the leaders.
  const built: { pipeline?: LivePipeline } = {};
  const fleet = options.fleet;
  const leaders = fleet
    ? new SourceLeaders(fleet.redis, {
      sources: sources.map((s) => s.name),
      ttlMs: fleet.leaseTtlMs,
      signal: options.signal,
      onChange: fleet.onLeaderChange,
      describe: (name) => ({
        metrics: metrics.snapshot()[name] ?? null,
        last_report: built.pipeline?.status().sources.find((s) => s.name === name)?.last_report ??
          null,
      }),
    })
    : undefined;
  if (leaders) fleet?.onLeaders?.(leaders);
  const history = { historyPerSource: config.historyPerSource };
  const store = fleet
    ? createRedisOddsStore(fleet.redis, {
      ...history,
      fenceOf: (s) => leaders!.fenceOf(s),
      fenced: fleet.fenced,
    })
    : options.kv
    ? createKvOddsStore(options.kv, history)
    : createMemoryOddsStore(history);
  // The first scrape loop iteration must know whether this instance leads.
  await leaders?.start();
  const pipeline = built.pipeline = createLivePipeline({
    sources,
    store,
    predictions: options.predictions,
    broker: options.broker,
    signal: options.signal,
    metrics,
    canonicalTeam,
    log: options.log,
    leads: leaders ? (s) => leaders.leads(s) : undefined,
    registry: options.registry,
    valueBets: fleet
      ? createRedisValueBets(fleet.redis, {
        fenceOf: (s) => leaders!.fenceOf(s),
        fenced: fleet.fenced,
      })
      : undefined,
  });
  return { store, pipeline, metrics, sources, demo, leaders, fenced: fleet?.fenced };
}
