/**
 * The prediction service in front of the engine: an LRU result cache keyed by
 * (model version, league, canonical teams, kick-off, odds) (`cache_key.ts`) with an admission
 * filter for one-off requests (`admission.ts`), single-flight for identical misses, a timeout
 * that aborts the engine call (504, `timed_engine.ts`), a memory-pressure guard (503,
 * `memory_guard.ts`) and metrics (`prediction_metrics.ts`).
 * @module
 */
import type { PredictionEngine, PredictionRequest } from "../domain/prediction.ts";
import type { Metrics } from "../ops/metrics.ts";
import { CacheAdmissionFilter } from "./admission.ts";
import { PredictionCacheKeys } from "./cache_key.ts";
import { EncodedPrediction } from "./encoded_prediction.ts";
import { LruCache } from "./lru_cache.ts";
import { MemoryGuard, type MemoryReading } from "./memory_guard.ts";
import { PredictionMetrics } from "./prediction_metrics.ts";
import { type PredictionResult, ServedPrediction } from "./served_prediction.ts";
import { TimedEngine } from "./timed_engine.ts";

/**
 * An uncached prediction being computed: the identical requests waiting for it. It holds only
 * the waiters, never the result: the map of requests in flight changes on every miss, and V8
 * may keep a replaced copy of its table alive until the next full collection; a result
 * reachable from such a copy (a promise resolved with it, say) would outlive its request and be
 * promoted.
 */
class InFlightRequest {
  #waiters: { resolve: (r: ServedPrediction) => void; reject: (e: unknown) => void }[] = [];

  /** The result for an identical request, sent with `kickoff` when that request gave none. */
  wait(kickoff: string | undefined): Promise<ServedPrediction> {
    return new Promise((resolve, reject) =>
      this.#waiters.push({ resolve: (r) => resolve(r.at(kickoff)), reject })
    );
  }

  /** Settles every waiter with the result and lets go of them. */
  settleWaiters(result: ServedPrediction): void {
    for (const w of this.#take()) w.resolve(result);
  }

  /** Fails every waiter with `error` and lets go of them. */
  failWaiters(error: unknown): void {
    for (const w of this.#take()) w.reject(error);
  }

  #take() {
    const waiters = this.#waiters;
    if (waiters.length !== 0) this.#waiters = [];
    return waiters;
  }
}

/** Options of {@link createPredictionService}. */
export interface PredictionServiceOptions {
  /** Metrics to record into. @default none */
  metrics?: Metrics;
  /** A prediction taking longer is aborted and answered with 504. @default 10000 */
  timeoutMs?: number;
  /** Predictions kept in the LRU cache; 0 disables caching. @default 1000 */
  cacheMaxEntries?: number;
  /**
   * Which computed predictions enter the cache: `all`, or only those whose cache key was already
   * missed recently (`repeated`; the last ~4 x `cacheMaxEntries` misses are remembered).
   * @default "all"
   */
  cacheAdmission?: "all" | "repeated";
  /** Resident memory above which new (uncached) predictions are refused with 503. @default 1 GiB */
  memoryLimitBytes?: number;
  /** Reads the resident memory in bytes. @default () => Deno.memoryUsage().rss */
  memoryUsage?: () => number;
  /** How long a memory reading is reused. @default 1000 */
  memorySampleMs?: number;
  /** Clock in milliseconds. @default performance.now */
  now?: () => number;
  /**
   * Wall clock giving the kick-off of a request without one: it is part of the answer, filled
   * per request (also on cache hits), and not of the cache key.
   * @default () => new Date()
   */
  kickoffClock?: () => Date;
}

/** Serves predictions through the cache. */
export interface PredictionService {
  /** Predicts one match; throws HttpError (422, 503, 504) on failure. */
  predict(request: PredictionRequest): Promise<PredictionResult>;
  /** Predictions in the cache. */
  readonly cacheSize: number;
  /** Empties the cache (e.g. after models were reloaded). */
  clearCache(): void;
  /** The last memory reading against the limit. */
  memory(): MemoryReading;
}

/** The cache, the requests in flight and the guards around one engine. */
class CachedPredictionService implements PredictionService {
  readonly #engine: TimedEngine;
  readonly #cache: LruCache<string, EncodedPrediction>;
  /** Present with `cacheAdmission: "repeated"`: only keys missed before enter the cache. */
  readonly #admission: CacheAdmissionFilter | undefined;
  readonly #keys: PredictionCacheKeys;
  /** Misses being computed, by cache key. */
  readonly #inFlight = new Map<string, InFlightRequest>();
  readonly #memory: MemoryGuard;
  readonly #metrics: PredictionMetrics;
  readonly #now: () => number;
  readonly #kickoffClock: () => Date;

  constructor(engine: PredictionEngine, options: PredictionServiceOptions) {
    this.#engine = new TimedEngine(engine, options.timeoutMs ?? 10_000);
    this.#cache = new LruCache(options.cacheMaxEntries ?? 1000);
    this.#admission = options.cacheAdmission === "repeated" && this.#cache.capacity > 0
      ? new CacheAdmissionFilter(4 * this.#cache.capacity)
      : undefined;
    this.#keys = new PredictionCacheKeys(engine);
    this.#now = options.now ?? (() => performance.now());
    this.#kickoffClock = options.kickoffClock ?? (() => new Date());
    this.#memory = new MemoryGuard({
      limitBytes: options.memoryLimitBytes ?? 1024 * 1024 * 1024,
      read: options.memoryUsage ?? (() => Deno.memoryUsage().rss),
      sampleMs: options.memorySampleMs ?? 1000,
      now: this.#now,
    });
    this.#metrics = new PredictionMetrics(options.metrics);
  }

  predict(req: PredictionRequest): Promise<PredictionResult> {
    const key = this.#keys.keyOf(req);
    if (key === null) return this.#miss(req, null);
    const hit = this.#cache.get(key);
    if (hit) {
      this.#metrics.hit(hit.league);
      return Promise.resolve(
        new ServedPrediction(hit, { cached: true, kickoff: this.#kickoff(req) }),
      );
    }
    const pending = this.#inFlight.get(key);
    if (pending) return pending.wait(this.#kickoff(req));
    const flight = new InFlightRequest();
    this.#inFlight.set(key, flight);
    return this.#miss(req, key, flight);
  }

  get cacheSize(): number {
    return this.#cache.size;
  }

  clearCache(): void {
    this.#cache.clear();
    this.#admission?.clear();
    this.#keys.forgetVersions();
  }

  memory(): MemoryReading {
    return this.#memory.reading();
  }

  /** The kick-off sent to a request that gave none (it is not part of the cache key). */
  #kickoff(req: PredictionRequest): string | undefined {
    return req.kickoff === undefined ? this.#kickoffClock().toISOString() : undefined;
  }

  /** Computes a miss; `flight` (under `key`) is the single-flight entry, removed when this settles. */
  async #miss(
    req: PredictionRequest,
    key: string | null,
    flight?: InFlightRequest,
  ): Promise<PredictionResult> {
    this.#metrics.miss();
    let result: ServedPrediction;
    try {
      result = await this.#compute(
        req.kickoff === undefined ? { ...req, kickoff: this.#kickoffClock().toISOString() } : req,
      );
    } catch (e) {
      if (key !== null) this.#inFlight.delete(key);
      flight?.failWaiters(e);
      this.#metrics.failed(e);
      throw e;
    }
    const p = result.prediction;
    // A key built with the model version this answer replaced is stale: build it again.
    const stale = this.#keys.noteVersion(p.league, p.model.version);
    if (!this.#keys.knowsTeams(p.league)) await this.#keys.learnTeams(p.league);
    const cacheKey = key !== null && !stale ? key : this.#keys.keyOf(req);
    if (cacheKey !== null && (this.#admission === undefined || this.#admission.seen(cacheKey))) {
      this.#cache.set(cacheKey, result.entry);
    }
    // Only now: a twin arriving earlier waits for this result instead of computing it again.
    if (key !== null) this.#inFlight.delete(key);
    flight?.settleWaiters(result);
    this.#metrics.computed(p.league);
    return result;
  }

  async #compute(req: PredictionRequest): Promise<ServedPrediction> {
    this.#memory.check();
    const started = this.#now();
    const prediction = await this.#engine.predict(req);
    this.#metrics.duration((this.#now() - started) / 1000);
    return new ServedPrediction(new EncodedPrediction(prediction), { cached: false, prediction });
  }
}

/** Creates the prediction service over `engine`. */
export function createPredictionService(
  engine: PredictionEngine,
  options: PredictionServiceOptions = {},
): PredictionService {
  return new CachedPredictionService(engine, options);
}
