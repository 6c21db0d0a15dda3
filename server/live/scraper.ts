/**
 * Fetches one source's page behind an opossum circuit breaker, with a request timeout and retries
 * using exponential backoff plus 0-30 % jitter, capped at 30 s. The breaker opens after 5
 * consecutive failed requests, lets one trial request through after 60 s (half-open) and closes
 * when it succeeds. Clock, randomness, sleeping and `fetch` are injectable for tests.
 * @module
 */
import CircuitBreaker from "opossum";
import type { BreakerState, SourceMetrics } from "./source_metrics.ts";

/** Why a scrape failed. */
export type ScrapeErrorCode = "http_status" | "timeout" | "network" | "breaker_open" | "aborted";

/** A failed request or scrape, with a machine-readable code. */
export class ScrapeError extends Error {
  readonly code: ScrapeErrorCode;
  constructor(code: ScrapeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ScrapeError";
    this.code = code;
  }
}

/** Backoff parameters (see {@link backoffDelay}). */
export interface BackoffOptions {
  /** Delay before the first retry. @default 1000 */
  baseDelayMs?: number;
  /** Longest delay, jitter included. @default 30000 */
  maxDelayMs?: number;
  /** Largest extra delay as a fraction of the exponential delay. @default 0.3 */
  jitter?: number;
  /** Uniform random numbers in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (0 = first retry): `base * 2^attempt`, plus a random
 * 0-`jitter` share of itself, capped at `maxDelayMs`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 30_000;
  const jitter = options.jitter ?? 0.3;
  const random = options.random ?? Math.random;
  const exp = base * 2 ** Math.min(attempt, 30);
  return Math.min(max, Math.round(exp * (1 + jitter * random())));
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Options of {@link createScraper}. */
export interface ScraperOptions extends BackoffOptions {
  /** Source name, for metrics and messages. */
  name: string;
  url: string;
  /** Abort a request (headers and body) after this long. @default 10000 */
  timeoutMs?: number;
  /** Retries after the first failed request of a scrape. @default 3 */
  maxRetries?: number;
  /** Consecutive failed requests that open the breaker. @default 5 */
  failureThreshold?: number;
  /** Time the breaker stays open before one trial request. @default 60000 */
  resetTimeoutMs?: number;
  /** Waits between retries. @default abortableSleep (real timers) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Current time, for metrics. @default () => new Date() */
  now?: () => Date;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  metrics?: SourceMetrics;
  /** Request headers. @default a SabiScore user agent */
  headers?: Record<string, string>;
}

/** Fetches a source's page through its breaker. */
export interface Scraper {
  readonly name: string;
  /** The page text; throws {@link ScrapeError} once retries are exhausted or the breaker is open. */
  fetchText(signal?: AbortSignal): Promise<string>;
  /** Current breaker state. */
  state(): BreakerState;
  /** Stops the breaker's timers. */
  close(): void;
}

/** Creates the scraper of one source. */
export function createScraper(options: ScraperOptions): Scraper {
  const name = options.name;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 3;
  const threshold = options.failureThreshold ?? 5;
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? (() => new Date());
  const doFetch = options.fetch ?? globalThis.fetch;
  const metrics = options.metrics;
  const headers = options.headers ?? { "user-agent": "SabiScore odds scraper" };

  async function requestOnce(outer?: AbortSignal): Promise<string> {
    metrics?.request(name);
    const controller = new AbortController();
    const onAbort = () => controller.abort(new ScrapeError("aborted", "Scrape aborted"));
    outer?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () =>
        controller.abort(
          new ScrapeError("timeout", `Source "${name}" timed out after ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    try {
      const res = await doFetch(options.url, { signal: controller.signal, headers });
      if (!res.ok) {
        await res.body?.cancel();
        throw new ScrapeError("http_status", `Source "${name}" answered HTTP ${res.status}`);
      }
      return await res.text();
    } catch (error) {
      if (error instanceof ScrapeError) throw error;
      const reason = controller.signal.reason;
      if (controller.signal.aborted && reason instanceof ScrapeError) throw reason;
      throw new ScrapeError(
        "network",
        `Cannot reach source "${name}": ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    }
  }

  const breaker = new CircuitBreaker(requestOnce, {
    name,
    timeout: false, // requestOnce enforces its own timeout and aborts the request
    resetTimeout: options.resetTimeoutMs ?? 60_000,
    errorThresholdPercentage: 100, // never trips on rate: consecutive failures are counted below
    // An abort is shutdown, not the source failing.
    errorFilter: (error: unknown) => error instanceof ScrapeError && error.code === "aborted",
  });
  let consecutive = 0;
  let state: BreakerState = "closed";
  const setState = (s: BreakerState) => {
    state = s;
    metrics?.breaker(name, s);
  };
  breaker.on("open", () => setState("open"));
  breaker.on("halfOpen", () => setState("half_open"));
  breaker.on("close", () => setState("closed"));
  breaker.on("success", (result: unknown) => {
    if (result instanceof ScrapeError) return; // a filtered abort, not a success
    consecutive = 0;
    metrics?.success(name, now());
  });
  breaker.on("failure", (error: unknown) => {
    consecutive++;
    metrics?.failure(name, error);
    if (consecutive >= threshold && !breaker.opened) breaker.open();
  });

  return {
    name,
    fetchText: async function fetchText(signal?: AbortSignal): Promise<string> {
      for (let attempt = 0;; attempt++) {
        try {
          return await breaker.fire(signal) as string;
        } catch (error) {
          if (signal?.aborted) throw new ScrapeError("aborted", "Scrape aborted");
          if ((error as { code?: string }).code === "EOPENBREAKER") {
            throw new ScrapeError("breaker_open", `Source "${name}" is paused: circuit open`);
          }
          if (attempt >= maxRetries) throw error;
          metrics?.retry(name);
          try {
            await sleep(backoffDelay(attempt, options), signal);
          } catch (sleepError) {
            if (signal?.aborted) throw new ScrapeError("aborted", "Scrape aborted");
            throw sleepError;
          }
        }
      }
    },
    state: () => state,
    close: function close() {
      breaker.shutdown();
    },
  };
}
