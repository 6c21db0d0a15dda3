/**
 * Prometheus metrics of one app instance (prom-client, own registry so tests can build many
 * apps). Served as text by `routes/metrics.ts`.
 * @module
 */
import client from "prom-client";

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
  const m: Omit<Metrics, "text" | "contentType" | "bindSources"> = {
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
  };
  return {
    ...m,
    text: () => registry.metrics(),
    contentType: registry.contentType,
    bindSources(sources) {
      if (sources.modelCacheSize) readModels = sources.modelCacheSize;
      if (sources.cacheEntries) readEntries = sources.cacheEntries;
    },
  };
}
