/**
 * The prediction service in front of the engine: canonical names, an LRU result cache keyed by
 * (model version, league, teams, kick-off, odds) with an admission filter for one-off requests
 * (see `admission.ts`), single-flight for identical misses, a timeout
 * that aborts the engine call (504), a memory-pressure guard (503) and metrics.
 * @module
 */
import { findLeague } from "../domain/leagues.ts";
import { pricesKey } from "../domain/bookmakers.ts";
import type { Prediction, PredictionEngine, PredictionRequest } from "../domain/prediction.ts";
import { HttpError } from "../http/errors.ts";
import type { Metrics } from "../ops/metrics.ts";
import { Doorkeeper } from "./admission.ts";
import { DeadlineQueue } from "./deadline_queue.ts";
import { EncodedPrediction } from "./encoded_prediction.ts";
import { LruCache } from "./lru_cache.ts";

/**
 * A served prediction. The answer is serialised once, when computed, and the cache keeps only
 * that text: a cache hit sends it as it is. `prediction` is parsed from the text on first
 * access for hits.
 */
export interface PredictionResult {
  /** The JSON answer without `score_matrix`. */
  readonly json: string;
  /** The JSON answer with `score_matrix` (`?include=score_matrix`). */
  withScoreMatrix(): string;
  readonly league: string;
  readonly cached: boolean;
  /** The full prediction, `score_matrix` included. */
  readonly prediction: Prediction;
}

/** How a {@link ServedPrediction} is served. */
interface Serving {
  cached: boolean;
  /** The parsed answer, when it is at hand. */
  prediction?: Prediction;
  /** The kick-off of a request that gave none: sent in place of the entry's. */
  kickoff?: string;
}

class ServedPrediction implements PredictionResult {
  readonly entry: EncodedPrediction;
  readonly cached: boolean;
  readonly #kickoff: string | undefined;
  #prediction: Prediction | undefined;

  constructor(entry: EncodedPrediction, serving: Serving) {
    this.entry = entry;
    this.cached = serving.cached;
    this.#kickoff = serving.kickoff;
    this.#prediction = serving.prediction;
  }
  /** The same answer for a request that gave no kick-off, sent at `kickoff`. */
  at(kickoff: string | undefined): ServedPrediction {
    return new ServedPrediction(this.entry, { cached: this.cached, kickoff });
  }
  get json(): string {
    const json = this.entry.json;
    return this.#kickoff === undefined ? json : this.entry.withKickoff(json, this.#kickoff);
  }
  withScoreMatrix(): string {
    const text = this.entry.withScoreMatrix();
    return this.#kickoff === undefined ? text : this.entry.withKickoff(text, this.#kickoff);
  }
  get league(): string {
    return this.entry.league;
  }
  get prediction(): Prediction {
    return this.#prediction ??= JSON.parse(this.withScoreMatrix()) as Prediction;
  }
}

/** An uncached prediction being computed, and the identical requests waiting for it. */
interface Flight {
  waiters: { resolve: (r: ServedPrediction) => void; reject: (e: unknown) => void }[];
}

/** Settles the waiters of `flight` and lets go of them. */
function land(flight: Flight, settle: (w: Flight["waiters"][number]) => void): void {
  const waiters = flight.waiters;
  if (waiters.length === 0) return;
  flight.waiters = [];
  for (const w of waiters) settle(w);
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
  memory(): { rss: number; limit: number; underPressure: boolean };
}

function failureReason(e: unknown): string {
  if (!(e instanceof HttpError)) return "error";
  if (e.status === 504) return "timeout";
  if (e.code === "memory_pressure") return "memory_pressure";
  if (e.status === 503) return "not_ready";
  if (e.status === 422) return "invalid";
  return "error";
}

/** Creates the prediction service over `engine`. */
export function createPredictionService(
  engine: PredictionEngine,
  options: PredictionServiceOptions = {},
): PredictionService {
  const metrics = options.metrics;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cache = new LruCache<string, EncodedPrediction>(options.cacheMaxEntries ?? 1000);
  const doorkeeper = options.cacheAdmission === "repeated" && cache.capacity > 0
    ? new Doorkeeper(4 * cache.capacity)
    : undefined;
  const deadlines = new DeadlineQueue(timeoutMs);
  const memoryLimit = options.memoryLimitBytes ?? 1024 * 1024 * 1024;
  const readMemory = options.memoryUsage ?? (() => Deno.memoryUsage().rss);
  const sampleMs = options.memorySampleMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  const kickoffClock = options.kickoffClock ?? (() => new Date());
  /**
   * Misses being computed, by cache key, with the identical requests waiting for them. An entry
   * holds only the waiters, never the result: this map changes on every miss, and V8 may keep
   * a replaced copy of its table alive until the next full collection; a result reachable from
   * such a copy (a promise resolved with it, say) would outlive its request and be promoted.
   */
  const inflight = new Map<string, Flight>();
  /** League key -> lower-cased team name or alias -> canonical name. */
  const aliases = new Map<string, Map<string, string>>();
  const loadingAliases = new Map<string, Promise<void>>();
  /** Model version last seen per league: part of the cache key. */
  const versions = new Map<string, string>();
  let rss = 0, sampledAt = -Infinity;
  // Bound label children: a labelled inc() hashes its label object on every call.
  const counters = new Map<string, { inc(): void }>();

  function countPrediction(league: string, source: "cache" | "model"): void {
    if (!metrics) return;
    const key = `${source}:${league}`;
    let c = counters.get(key);
    if (!c) counters.set(key, c = metrics.predictions.labels(league, source));
    c.inc();
  }

  function memory() {
    const t = now();
    if (t - sampledAt >= sampleMs) {
      rss = readMemory();
      sampledAt = t;
    }
    return { rss, limit: memoryLimit, underPressure: rss > memoryLimit };
  }

  function loadAliases(league: string): Promise<void> {
    let p = loadingAliases.get(league);
    if (!p) {
      p = engine.teams(league).then((teams) => {
        const m = new Map<string, string>();
        for (const t of teams) {
          m.set(t.name.toLowerCase(), t.name);
          for (const a of t.aliases) m.set(a.toLowerCase(), t.name);
        }
        aliases.set(league, m);
      }).catch(() => {
        // Unknown league or models not loaded: no cache for it; predict() reports the error.
      }).finally(() => loadingAliases.delete(league));
      loadingAliases.set(league, p);
    }
    return p;
  }

  /**
   * Cache keys of frozen requests, which are shared between calls (the route's memo of repeated
   * bodies): a repeat reuses the key string (its hash is kept) instead of canonicalising again.
   * Valid while the league's model version is the one the key was built with.
   */
  const sharedKeys = new WeakMap<
    PredictionRequest,
    { key: string; league: string; version: string }
  >();

  /** The cache key of a request, or null when it cannot be canonicalised (yet). */
  function cacheKey(req: PredictionRequest): string | null {
    if (!Object.isFrozen(req)) return canonicalKey(req);
    const known = sharedKeys.get(req);
    if (known && versions.get(known.league) === known.version) return known.key;
    const key = canonicalKey(req);
    if (key !== null) {
      const league = findLeague(req.league)!.key;
      sharedKeys.set(req, { key, league, version: versions.get(league)! });
    }
    return key;
  }

  function canonicalKey(req: PredictionRequest): string | null {
    const league = findLeague(req.league)?.key;
    if (!league) return null;
    const names = aliases.get(league);
    const version = versions.get(league);
    if (!names || version === undefined) return null;
    const home = names.get(req.home_team.trim().toLowerCase());
    const away = names.get(req.away_team.trim().toLowerCase());
    if (home === undefined || away === undefined) return null;
    return `${version}\u0000${league}\u0000${home}\u0000${away}\u0000${req.kickoff ?? ""}\u0000${
      pricesKey(req)
    }`;
  }

  async function compute(req: PredictionRequest): Promise<ServedPrediction> {
    if (memory().underPressure) {
      throw new HttpError(503, "Server is under memory pressure, retry shortly", {
        code: "memory_pressure",
        headers: { "Retry-After": "10" },
      });
    }
    const ac = new AbortController();
    const started = now();
    const prediction = await new Promise<Prediction>((resolve, reject) => {
      const deadline = deadlines.add(() => {
        const err = new HttpError(504, `Prediction took longer than ${timeoutMs} ms`, {
          code: "prediction_timeout",
        });
        ac.abort(err);
        reject(err);
      });
      const settle = (p: Prediction) => {
        deadline.cancel();
        resolve(p);
      };
      const fail = (e: unknown) => {
        deadline.cancel();
        reject(e);
      };
      try {
        engine.predict(req, ac.signal).then(settle, fail);
      } catch (e) {
        fail(e);
      }
    });
    metrics?.predictionDuration.observe((now() - started) / 1000);
    return new ServedPrediction(new EncodedPrediction(prediction), { cached: false, prediction });
  }

  /** Computes a miss; `flight` (with its `key`) is the single-flight entry, removed when this settles. */
  async function miss(
    req: PredictionRequest,
    key: string | null,
    flight?: Flight,
  ): Promise<PredictionResult> {
    metrics?.cacheMisses.inc();
    let result: ServedPrediction;
    try {
      result = await compute(
        req.kickoff === undefined ? { ...req, kickoff: kickoffClock().toISOString() } : req,
      );
    } catch (e) {
      if (key !== null) inflight.delete(key);
      if (flight) land(flight, (w) => w.reject(e));
      metrics?.cacheErrors.inc();
      metrics?.predictionFailures.inc({ reason: failureReason(e) });
      throw e;
    }
    const flightKey = key;
    const p = result.prediction;
    const known = versions.get(p.league);
    if (known !== p.model.version) {
      versions.set(p.league, p.model.version);
      if (known !== undefined) key = null; // the key was built with the old version
    }
    if (!aliases.has(p.league)) await loadAliases(p.league);
    const finalKey = key ?? cacheKey(req);
    if (finalKey !== null && (doorkeeper === undefined || doorkeeper.seen(finalKey))) {
      cache.set(finalKey, result.entry);
    }
    // Only now: a twin arriving earlier waits for this result instead of computing it again.
    if (flightKey !== null) inflight.delete(flightKey);
    if (flight) land(flight, (w) => w.resolve(result));
    countPrediction(p.league, "model");
    return result;
  }

  return {
    predict(req: PredictionRequest): Promise<PredictionResult> {
      const key = cacheKey(req);
      if (key !== null) {
        const hit = cache.get(key);
        if (hit) {
          metrics?.cacheHits.inc();
          countPrediction(hit.league, "cache");
          const kickoff = req.kickoff === undefined ? kickoffClock().toISOString() : undefined;
          return Promise.resolve(new ServedPrediction(hit, { cached: true, kickoff }));
        }
        const pending = inflight.get(key);
        if (pending) {
          const kickoff = req.kickoff === undefined ? kickoffClock().toISOString() : undefined;
          return new Promise((resolve, reject) =>
            pending.waiters.push({ resolve: (r) => resolve(r.at(kickoff)), reject })
          );
        }
        const flight: Flight = { waiters: [] };
        inflight.set(key, flight);
        return miss(req, key, flight);
      }
      return miss(req, null);
    },
    get cacheSize() {
      return cache.size;
    },
    clearCache() {
      cache.clear();
      doorkeeper?.clear();
      versions.clear();
    },
    memory,
  };
}
