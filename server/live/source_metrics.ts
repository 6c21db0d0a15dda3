/**
 * Per-source scrape metrics: requests, successes, failures, retries, rows rejected, scrapes whose
 * matches the store could not take, breaker state
 * (gauge: 0 closed, 1 half-open, 2 open) and last success time. Registered on the prom-client
 * registry given (for `/metrics`), and kept as plain numbers for `snapshot()` (for `/health`).
 * @module
 */
import { Counter, Gauge, type Registry } from "prom-client";

/** State of a source's circuit breaker. */
export type BreakerState = "closed" | "half_open" | "open";

const BREAKER_GAUGE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** What `/health` shows for one source. */
export interface SourceStats {
  requests: number;
  successes: number;
  failures: number;
  retries: number;
  rows_accepted: number;
  rows_rejected: number;
  /** Scrapes whose matches could not be stored (the store, not the source, failed). */
  store_failures: number;
  breaker: BreakerState;
  /** ISO time of the last successful request, or null. */
  last_success_at: string | null;
  /** Message of the last failure, or null. */
  last_error: string | null;
}

/** Recorder of per-source metrics. */
export interface SourceMetrics {
  request(source: string): void;
  success(source: string, at: Date): void;
  failure(source: string, error: unknown): void;
  retry(source: string): void;
  rows(source: string, accepted: number, rejected: Record<string, number>): void;
  /** A scrape's matches could not be stored. */
  storeFailure(source: string): void;
  breaker(source: string, state: BreakerState): void;
  /** Current figures per source name. */
  snapshot(): Record<string, SourceStats>;
}

/** Options of {@link createSourceMetrics}. */
export interface SourceMetricsOptions {
  /** Registry to register the prom-client metrics on; without one only `snapshot()` works. */
  registry?: Registry;
  /** Metric name prefix. @default "sabiscore_odds_source_" */
  prefix?: string;
}

/** Creates the per-source metrics, registered on `options.registry` when given. */
export function createSourceMetrics(options: SourceMetricsOptions = {}): SourceMetrics {
  const p = options.prefix ?? "sabiscore_odds_source_";
  const registers = options.registry ? [options.registry] : [];
  const counter = (name: string, help: string, labelNames = ["source"]) =>
    new Counter({ name: p + name, help, labelNames, registers });
  const requests = counter("requests_total", "HTTP requests sent to an odds source");
  const successes = counter("successes_total", "Successful requests to an odds source");
  const failures = counter("failures_total", "Failed requests (error, status, timeout, breaker)");
  const retries = counter("retries_total", "Requests retried after a failure");
  const accepted = counter("rows_accepted_total", "Scraped rows that passed validation");
  const rejected = counter("rows_rejected_total", "Scraped rows dropped by validation", [
    "source",
    "reason",
  ]);
  const storeFailures = counter(
    "store_failures_total",
    "Scrapes whose matches the odds store could not take (the store was unreachable)",
  );
  const breakerGauge = new Gauge({
    name: p + "breaker_state",
    help: "Circuit breaker state: 0 closed, 1 half-open, 2 open",
    labelNames: ["source"],
    registers,
  });
  const lastSuccess = new Gauge({
    name: p + "last_success_timestamp_seconds",
    help: "Unix time of the last successful request",
    labelNames: ["source"],
    registers,
  });
  const stats = new Map<string, SourceStats>();
  const of = (source: string): SourceStats => {
    let s = stats.get(source);
    if (!s) {
      s = {
        requests: 0,
        successes: 0,
        failures: 0,
        retries: 0,
        rows_accepted: 0,
        rows_rejected: 0,
        store_failures: 0,
        breaker: "closed",
        last_success_at: null,
        last_error: null,
      };
      stats.set(source, s);
      breakerGauge.set({ source }, 0);
    }
    return s;
  };
  return {
    request(source) {
      of(source).requests++;
      requests.inc({ source });
    },
    success(source, at) {
      const s = of(source);
      s.successes++;
      s.last_success_at = at.toISOString();
      successes.inc({ source });
      lastSuccess.set({ source }, at.getTime() / 1000);
    },
    failure(source, error) {
      const s = of(source);
      s.failures++;
      s.last_error = error instanceof Error ? error.message : String(error);
      failures.inc({ source });
    },
    retry(source) {
      of(source).retries++;
      retries.inc({ source });
    },
    rows(source, n, rejectedByReason) {
      const s = of(source);
      s.rows_accepted += n;
      if (n > 0) accepted.inc({ source }, n);
      for (const [reason, count] of Object.entries(rejectedByReason)) {
        s.rows_rejected += count;
        if (count > 0) rejected.inc({ source, reason }, count);
      }
    },
    storeFailure(source) {
      of(source).store_failures++;
      storeFailures.inc({ source });
    },
    breaker(source, state) {
      of(source).breaker = state;
      breakerGauge.set({ source }, BREAKER_GAUGE[state]);
    },
    snapshot() {
      return Object.fromEntries([...stats].map(([k, v]) => [k, { ...v }]));
    },
  };
}
