/**
 * Prometheus metrics of one app instance (prom-client, own registry so tests can build many
 * apps). Served as text by `routes/metrics.ts`.
 * @module
 */
import client from "prom-client";
import type { RedisClientHooks } from "../fleet/redis_client.ts";

/** The metrics the service records. */
export interface Metrics {
  registry: client.Registry;
  /** `http_requests_total{method,route,status}` */
  httpRequests: client.Counter<"method" | "route" | "status">;
  /** `http_request_duration_seconds{method,route,status}` */
  httpDuration: client.Histogram<"method" | "route" | "status">;
  /** `predictions_total{league,source}`: source is `cache` or `model`. */
  predictions: client.Counter<"league" | "source">;
  /** `prediction_failures_total{reason}`: timeout, memory_pressure, not_ready, invalid, error. */
  predictionFailures: client.Counter<"reason">;
  /** `prediction_duration_seconds`: model time of cache misses. */
  predictionDuration: client.Histogram<string>;
  /** `prediction_cache_hits_total` */
  cacheHits: client.Counter<string>;
  /** `prediction_cache_misses_total` */
  cacheMisses: client.Counter<string>;
  /** `prediction_cache_errors_total`: misses whose computation failed (nothing cached). */
  cacheErrors: client.Counter<string>;
  /** `prediction_cache_entries` */
  cacheEntries: client.Gauge<string>;
  /** `rate_limited_requests_total` */
  rateLimited: client.Counter<string>;
  /** `model_cache_size`: league models loaded in memory. */
  modelCacheSize: client.Gauge<string>;
  /** `process_memory_bytes{type}`: rss, heap_total, heap_used, external (Deno.memoryUsage). */
  processMemory: client.Gauge<"type">;
  /**
   * `redis_up`: 1 while this instance reaches Redis, 0 while it does not. Exposed only in fleet
   * mode (after {@link Metrics.redisHooks}), so an embedded instance never reads as Redis down.
   */
  redisUp: client.Gauge<string>;
  /** `redis_command_duration_seconds{command}`: round trips of Redis commands, failed ones too. */
  redisCommandDuration: client.Histogram<"command">;
  /** `redis_fallbacks_total{component}`: answers given locally because Redis was away. */
  redisFallbacks: client.Counter<"component">;
  /** `source_leader{source}`: 1 on the instance that scrapes `source`, 0 on the others. */
  sourceLeader: client.Gauge<"source">;
  /** Records whether this instance leads (scrapes) odds source `source`. */
  setSourceLeader(source: string, leading: boolean): void;
  /** Exposes `redis_up` and returns the hooks that feed the Redis series from a client. */
  redisHooks(): RedisClientHooks;
  /** Prometheus text exposition. */
  text(): Promise<string>;
  /** Content type of {@link Metrics.text}. */
  contentType: string;
  /** Sets where the scrape-time gauges read their values (model count, cache entries). */
  bindSources(sources: { modelCacheSize?: () => number; cacheEntries?: () => number }): void;
}

/** prom-client default metrics that are gauges with a counter's `_total` suffix. */
const GAUGES_NAMED_AS_COUNTERS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Also collect prom-client's default process metrics (needs `-A` to read real values). @default true */
  defaultMetrics?: boolean;
  /** Reads the number of loaded models when metrics are scraped. @default () => 0 */
  modelCacheSize?: () => number;
  /** Reads the number of cached predictions when metrics are scraped. @default () => 0 */
  cacheEntries?: () => number;
  /** Prefix of every metric name. @default "sabiscore_" */
  prefix?: string;
}

/** Latency buckets in seconds, dense below 20 ms where the service should live. */
const LATENCY_BUCKETS = [
  0.0005,
  0.001,
  0.002,
  0.005,
  0.01,
  0.02,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** Redis round trips: tens of microseconds on loopback, milliseconds across a network. */
const REDIS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2];

/** Creates the metrics of one app instance. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new client.Registry();
  const prefix = options.prefix ?? "sabiscore_";
  const registers = [registry];
  let readModels = options.modelCacheSize ?? (() => 0);
  let readEntries = options.cacheEntries ?? (() => 0);
  if (options.defaultMetrics ?? true) {
    client.collectDefaultMetrics({ register: registry });
    // Gauges named `_total` break the Prometheus naming rules (`promtool check metrics` warns);
    // the same counts stay available per type as `nodejs_active_handles` and friends.
    for (const name of GAUGES_NAMED_AS_COUNTERS) registry.removeSingleMetric(name);
  }
  const m: Omit<
    Metrics,
    "text" | "contentType" | "bindSources" | "setSourceLeader" | "redisHooks"
  > = {
    registry,
    httpRequests: new client.Counter({
      name: `${prefix}http_requests_total`,
      help: "HTTP requests by method, route template and status",
      labelNames: ["method", "route", "status"] as const,
      registers,
    }),
    httpDuration: new client.Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: "HTTP request latency by method, route template and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    predictions: new client.Counter({
      name: `${prefix}predictions_total`,
      help: "Predictions served, by league and source (cache or model)",
      labelNames: ["league", "source"] as const,
      registers,
    }),
    predictionFailures: new client.Counter({
      name: `${prefix}prediction_failures_total`,
      help: "Predictions that failed, by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
    predictionDuration: new client.Histogram({
      name: `${prefix}prediction_duration_seconds`,
      help: "Time the engine took for predictions that missed the cache",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    cacheHits: new client.Counter({
      name: `${prefix}prediction_cache_hits_total`,
      help: "Prediction cache hits",
      registers,
    }),
    cacheMisses: new client.Counter({
      name: `${prefix}prediction_cache_misses_total`,
      help: "Prediction cache misses",
      registers,
    }),
    cacheErrors: new client.Counter({
      name: `${prefix}prediction_cache_errors_total`,
      help: "Cache misses whose computation failed, so nothing was cached",
      registers,
    }),
    cacheEntries: new client.Gauge({
      name: `${prefix}prediction_cache_entries`,
      help: "Predictions held in the result cache",
      registers,
      collect() {
        this.set(readEntries());
      },
    }),
    rateLimited: new client.Counter({
      name: `${prefix}rate_limited_requests_total`,
      help: "Requests rejected with 429",
      registers,
    }),
    modelCacheSize: new client.Gauge({
      name: `${prefix}model_cache_size`,
      help: "League models loaded in memory",
      registers,
      collect() {
        this.set(readModels());
      },
    }),
    processMemory: new client.Gauge({
      name: `${prefix}process_memory_bytes`,
      help: "Process memory by type (Deno.memoryUsage)",
      labelNames: ["type"] as const,
      registers,
      collect() {
        const u = Deno.memoryUsage();
        this.set({ type: "rss" }, u.rss);
        this.set({ type: "heap_total" }, u.heapTotal);
        this.set({ type: "heap_used" }, u.heapUsed);
        this.set({ type: "external" }, u.external);
      },
    }),
    // Registered by redisHooks(): an unset gauge would read 0 and raise the Redis-down alert.
    redisUp: new client.Gauge({
      name: `${prefix}redis_up`,
      help: "1 while this instance reaches Redis (fleet mode), 0 while it does not",
      registers: [],
    }),
    redisCommandDuration: new client.Histogram({
      name: `${prefix}redis_command_duration_seconds`,
      help: "Round trip of Redis commands by command, failed ones included",
      labelNames: ["command"] as const,
      buckets: REDIS_BUCKETS,
      registers,
    }),
    redisFallbacks: new client.Counter({
      name: `${prefix}redis_fallbacks_total`,
      help: "Answers given from local state because Redis was away, by component",
      labelNames: ["component"] as const,
      registers,
    }),
    sourceLeader: new client.Gauge({
      name: `${prefix}source_leader`,
      help: "1 on the instance that leads (scrapes) an odds source, 0 on the others",
      labelNames: ["source"] as const,
      registers,
    }),
  };
  return {
    ...m,
    text: () => registry.metrics(),
    contentType: registry.contentType,
    bindSources(sources) {
      if (sources.modelCacheSize) readModels = sources.modelCacheSize;
      if (sources.cacheEntries) readEntries = sources.cacheEntries;
    },
    setSourceLeader(source, leading) {
      m.sourceLeader.set({ source }, leading ? 1 : 0);
    },
    redisHooks() {
      if (!registry.getSingleMetric(`${prefix}redis_up`)) {
        m.redisUp.set(0);
        registry.registerMetric(m.redisUp);
      }
      return {
        onUp: (up) => m.redisUp.set(up ? 1 : 0),
        onCommand: (command, seconds) => m.redisCommandDuration.observe({ command }, seconds),
        onFallback: (component) => m.redisFallbacks.inc({ component }),
      };
    },
  };
}
