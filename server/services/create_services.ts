/**
 * Builds the core {@link Services} of one instance from a config, a KV database and an engine:
 * metrics, logger, prediction service, rate-limit store and health checks. Used by
 * `server/main.ts` and by tests (with the memory engine and an in-memory KV).
 * @module
 */
import type { Config } from "../ops/config.ts";
import type { PredictionEngine } from "../domain/prediction.ts";
import { createHealth } from "../ops/health.ts";
import { createLogger, type Logger } from "../ops/logger.ts";
import { createMetrics, type Metrics } from "../ops/metrics.ts";
import { createPredictionService } from "../predict/prediction_service.ts";
import { KvRateLimitStore } from "../rate_limit/kv_store.ts";
import type { RateLimitStore } from "../rate_limit/store.ts";
import type { Services } from "./services.ts";

/** Options of {@link createCoreServices}. */
export interface CoreServicesOptions {
  config: Config;
  kv: Deno.Kv;
  engine: PredictionEngine;
  /** @default a JSON logger at `config.logLevel` */
  logger?: Logger;
  /** @default new metrics with prom-client's default process metrics */
  metrics?: Metrics;
  /** @default a {@link KvRateLimitStore} on `kv` when rate limiting is enabled */
  rateLimitStore?: RateLimitStore | null;
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Reads resident memory for the memory-pressure guard. @default Deno.memoryUsage().rss */
  memoryUsage?: () => number;
}

/** Builds the core services; close them with {@link closeCoreServices}. */
export function createCoreServices(options: CoreServicesOptions): Services {
  const { config, kv, engine } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  if (config.redisUrl) {
    // An operator scaling out expects shared state: say plainly that this build has none.
    logger.warn(
      "REDIS_URL is set, but the multi-instance (fleet) mode is not built: this instance runs " +
        "embedded, with its own rate-limit counters, prediction cache and live-odds hub",
    );
  }
  const metrics = options.metrics ?? createMetrics();
  const predictions = createPredictionService(engine, {
    metrics,
    timeoutMs: config.predictionTimeoutMs,
    cacheMaxEntries: config.cacheMaxEntries,
    cacheAdmission: config.cacheAdmission,
    memoryLimitBytes: config.memoryLimitMb * 1024 * 1024,
    memoryUsage: options.memoryUsage,
    kickoffClock: () => new Date((options.now ?? Date.now)()),
  });
  const rateLimitStore = options.rateLimitStore !== undefined
    ? options.rateLimitStore
    : config.enableRateLimiting
    ? new KvRateLimitStore(kv, {
      onError: (error) => logger.warn("Cannot write rate-limit counters to KV", { error }),
    })
    : null;
  metrics.bindSources({
    modelCacheSize: () => engine.status().loaded.length,
    cacheEntries: () => predictions.cacheSize,
  });
  const health = createHealth({ kv, engine, predictions, now: options.now });
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
  };
}

/** Flushes and closes what the core services hold (not the KV database, its owner closes it). */
export async function closeCoreServices(services: Services): Promise<void> {
  await services.rateLimitStore?.close();
}
