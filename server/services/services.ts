/**
 * The long-lived services handed to every request through the context (`c.get("services")`),
 * built whole by {@link createServices} from a config, a KV database, an engine and (when
 * running) the live side. Used by `server/main.ts` and by the test and demo apps.
 * @module
 */
import type { Config } from "../ops/config.ts";
import type { PredictionEngine } from "../domain/prediction.ts";
import { createHealth, type Health } from "../ops/health.ts";
import { createLogger, type Logger } from "../ops/logger.ts";
import { createMetrics, type Metrics } from "../ops/metrics.ts";
import { createPredictionService, type PredictionService } from "../predict/prediction_service.ts";
import { KvRateLimitStore } from "../rate_limit/kv_store.ts";
import type { RateLimitStore } from "../rate_limit/store.ts";
import type { OddsFeed } from "../live/odds_feed.ts";
import type { Hub } from "../live/hub.ts";
import type { AlertEngine } from "../live/alerts.ts";
import { FleetRedis } from "../fleet/redis_client.ts";
import { InstanceRegistry } from "../fleet/instances.ts";
import { RedisRateLimitStore } from "../rate_limit/redis_store.ts";

/** Long-lived services of one app instance. */
export interface Services {
  /** Parsed configuration (`server/ops/config.ts`). */
  config: Config;
  /** The Deno KV database (rate-limit counters, health probe, other stores). */
  kv: Deno.Kv;
  /** The prediction engine (ONNX models, or the memory twin in tests). */
  engine: PredictionEngine;
  /** Cached, time-limited predictions over `engine` (`server/predict/prediction_service.ts`). */
  predictions: PredictionService;
  /** Rate-limit counters; null when rate limiting is off. */
  rateLimitStore: RateLimitStore | null;
  /** Prometheus metrics (`server/ops/metrics.ts`). */
  metrics: Metrics;
  /** JSON logger (`server/ops/logger.ts`). */
  logger: Logger;
  /** Liveness, readiness and component health (`server/ops/health.ts`). */
  health: Health;
  /** Clock in epoch milliseconds (rate-limit windows); injected in tests. */
  now: () => number;
  /** Live odds: store, pipeline and source metrics (`server/live/odds_feed.ts`), when running. */
  live?: OddsFeed;
  /** The WebSocket hub behind `/ws` (`server/live/hub.ts`), when running. */
  hub?: Hub;
  /** Value-bet alerts (`server/live/alerts.ts`), when running. */
  alerts?: AlertEngine;
  /**
   * The instance's one Redis client in fleet mode (`config.redis` set); undefined in embedded
   * mode. Its owner (`server/main.ts`, a test) closes it after the services.
   */
  fleet?: FleetRedis;
  /** The fleet's heartbeat and the instances it sees, in fleet mode. */
  instances?: InstanceRegistry;
}

/** The live side's parts the services hold (`openLiveServices` returns them). */
export interface LiveParts {
  feed: OddsFeed;
  hub: Hub;
  alerts: AlertEngine;
}

/** Options of {@link createPredictions}. */
export interface PredictionsOptions {
  config: Config;
  engine: PredictionEngine;
  metrics: Metrics;
  /** Reads resident memory for the memory-pressure guard. @default Deno.memoryUsage().rss */
  memoryUsage?: () => number;
  /** Clock in epoch milliseconds; gives a request without kick-off its time. @default Date.now */
  now?: () => number;
}

/** The prediction service as the configuration sets it up (REST and live predictions share it). */
export function createPredictions(options: PredictionsOptions): PredictionService {
  const { config } = options;
  return createPredictionService(options.engine, {
    metrics: options.metrics,
    timeoutMs: config.predictionTimeoutMs,
    cacheMaxEntries: config.cacheMaxEntries,
    cacheAdmission: config.cacheAdmission,
    memoryLimitBytes: config.memoryLimitMb * 1024 * 1024,
    memoryUsage: options.memoryUsage,
    kickoffClock: () => new Date((options.now ?? Date.now)()),
  });
}

/** Options of {@link createServices}. */
export interface ServicesOptions {
  config: Config;
  kv: Deno.Kv;
  engine: PredictionEngine;
  /** @default a JSON logger at `config.logLevel` */
  logger?: Logger;
  /** @default new metrics with prom-client's default process metrics */
  metrics?: Metrics;
  /** Built beforehand when the live side shares it. @default {@link createPredictions} */
  predictions?: PredictionService;
  /**
   * @default when rate limiting is enabled: a {@link RedisRateLimitStore} (one budget for the
   * fleet) in fleet mode, else a {@link KvRateLimitStore} on `kv`
   */
  rateLimitStore?: RateLimitStore | null;
  /** The running live side. @default none: no live odds, hub or alerts */
  live?: LiveParts;
  /** The instance's Redis client in fleet mode ({@link openFleetRedis}). @default none */
  fleet?: FleetRedis;
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Reads resident memory for the memory-pressure guard. @default Deno.memoryUsage().rss */
  memoryUsage?: () => number;
}

/** Builds the services; close them with {@link closeServices}. */
export function createServices(options: ServicesOptions): Services {
  const { config, kv, engine } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = options.metrics ?? createMetrics();
  const predictions = options.predictions ??
    createPredictions({
      config,
      engine,
      metrics,
      memoryUsage: options.memoryUsage,
      now: options.now,
    });
  const fleet = options.fleet;
  // The heartbeat's last list sizes the per-instance share of a limit while Redis is away.
  const instances = fleet
    ? new InstanceRegistry(fleet, { kv, expected: config.redis?.instancesHint })
    : undefined;
  void instances?.start();
  const rateLimitStore = options.rateLimitStore !== undefined
    ? options.rateLimitStore
    : !config.enableRateLimiting
    ? null
    : fleet
    ? new RedisRateLimitStore(fleet, { instances: () => instances!.count() })
    : new KvRateLimitStore(kv, {
      onError: (error) => logger.warn("Cannot write rate-limit counters to KV", { error }),
    });
  metrics.bindSources({
    modelCacheSize: () => engine.status().loaded.length,
    cacheEntries: () => predictions.cacheSize,
  });
  const health = createHealth({
    kv,
    engine,
    predictions,
    now: options.now,
    fleet: fleet && {
      redis: () => fleet.status(),
      instances: () => instances!.last,
    },
  });
  return {
    config,
    kv,
    engine,
    predictions,
    rateLimitStore,
    metrics,
    logger,
    health,
    now: options.now ?? Date.now,
    live: options.live?.feed,
    hub: options.live?.hub,
    alerts: options.live?.alerts,
    fleet,
    instances,
  };
}

/** Options of {@link openFleetRedis}. */
export interface FleetRedisSetup {
  config: Config;
  logger: Logger;
  /** Where the Redis series go (up, command latency, fallbacks). @default none */
  metrics?: Metrics;
}

/**
 * The instance's one Redis client when the configuration asks for fleet mode, else undefined
 * (embedded mode connects to nothing). It connects in the background: an instance starts and
 * serves while Redis is away, and its components fall back until it is reachable.
 */
export function openFleetRedis(setup: FleetRedisSetup): FleetRedis | undefined {
  const { config, logger } = setup;
  if (!config.redis) return undefined;
  return new FleetRedis({
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    instanceId: config.redis.instanceId,
    logger,
    fallback: "per-instance rate limits and local state",
    hooks: setup.metrics?.redisHooks(),
  });
}

/** Flushes and closes what the services hold (not the KV database, its owner closes it). */
export async function closeServices(services: Services): Promise<void> {
  // Leaving the heartbeat first lets the other instances stop counting this one at once.
  await services.instances?.close();
  await services.rateLimitStore?.close();
}
