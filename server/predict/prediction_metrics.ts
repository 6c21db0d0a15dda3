/**
 * What the prediction service records: hits, misses, computed predictions per league and
 * source, their duration, and failures by reason. Without metrics every call does nothing.
 * @module
 */
import { HttpError } from "../http/errors.ts";
import type { Metrics } from "../ops/metrics.ts";

/** The `reason` label of a failed prediction. */
export function failureReason(e: unknown): string {
  if (!(e instanceof HttpError)) return "error";
  if (e.status === 504) return "timeout";
  if (e.code === "memory_pressure") return "memory_pressure";
  if (e.status === 503) return "not_ready";
  if (e.status === 422) return "invalid";
  return "error";
}

/** Records the prediction service's metrics into `metrics`, if any. */
export class PredictionMetrics {
  readonly #metrics: Metrics | undefined;
  /** Bound label children: a labelled inc() hashes its label object on every call. */
  readonly #counters = new Map<string, { inc(): void }>();

  constructor(metrics: Metrics | undefined) {
    this.#metrics = metrics;
  }

  /** A prediction served from the cache. */
  hit(league: string): void {
    this.#metrics?.cacheHits.inc();
    this.#count(league, "cache");
  }

  /** A request that has to be computed. */
  miss(): void {
    this.#metrics?.cacheMisses.inc();
  }

  /** A prediction the engine computed in `seconds`. */
  duration(seconds: number): void {
    this.#metrics?.predictionDuration.observe(seconds);
  }

  /** A computed prediction served. */
  computed(league: string): void {
    this.#count(league, "model");
  }

  /** A miss that failed with `e`. */
  failed(e: unknown): void {
    this.#metrics?.cacheErrors.inc();
    this.#metrics?.predictionFailures.inc({ reason: failureReason(e) });
  }

  #count(league: string, source: "cache" | "model"): void {
    if (!this.#metrics) return;
    const key = `${source}:${league}`;
    let c = this.#counters.get(key);
    if (!c) this.#counters.set(key, c = this.#metrics.predictions.labels(league, source));
    c.inc();
  }
}
