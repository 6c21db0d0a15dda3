/**
 * The loaded models of recently used leagues: an LRU cache with single-flight loading and pins.
 * A league asked for by many callers at once is loaded once; an evicted model that is still in
 * use (pinned) is released only when its last use ends.
 * @module
 */
import { HttpError } from "../http/errors.ts";
import { type LoadedModel, releaseModel } from "./loaded_model.ts";
import type { RegistryLogger } from "./model_catalogue.ts";

/** One league in the cache: its load, and whether its sessions may still be used. */
interface Entry {
  league: string;
  promise: Promise<LoadedModel>;
  model?: LoadedModel;
  /** Uses in progress; the sessions are not released while above 0. */
  pins: number;
  evicted: boolean;
  released: boolean;
}

/** Options of {@link ModelSessionCache}. */
export interface ModelSessionCacheOptions {
  /** Most leagues whose sessions are kept loaded. */
  maxCached: number;
  /** Loads the model of a league (called once per cache miss). */
  load: (league: string) => Promise<LoadedModel>;
  log: RegistryLogger;
}

/** LRU cache of loaded league models. */
export class ModelSessionCache {
  readonly #maxCached: number;
  readonly #load: (league: string) => Promise<LoadedModel>;
  readonly #log: RegistryLogger;
  /** Insertion order is LRU order: a hit is moved to the end. */
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(options: ModelSessionCacheOptions) {
    const maxCached = options.maxCached;
    if (!Number.isInteger(maxCached) || maxCached < 1) {
      throw new RangeError(`Invalid maxCached "${maxCached}": expected a positive integer`);
    }
    this.#maxCached = maxCached;
    this.#load = options.load;
    this.#log = options.log;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The model of `league`, loaded once however many callers ask. */
  get(league: string): Promise<LoadedModel> {
    try {
      return this.#entryFor(league).promise;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Runs `fn` with the league's model pinned: eviction defers releasing it until `fn` settles. */
  async use<T>(league: string, fn: (model: LoadedModel) => Promise<T> | T): Promise<T> {
    const entry = this.#entryFor(league);
    entry.pins++;
    try {
      return await fn(await entry.promise);
    } finally {
      entry.pins--;
      if (entry.pins === 0 && (entry.evicted || this.#closed)) await this.#release(entry);
    }
  }

  /** Leagues whose sessions are loaded, least recently used first. */
  loaded(): string[] {
    return [...this.#entries.values()].filter((e) => e.model).map((e) => e.league);
  }

  /** Number of leagues whose sessions are loaded. */
  get size(): number {
    return [...this.#entries.values()].filter((e) => e.model).length;
  }

  /** Refuses later gets, waits for loads in flight, releases every model not in use. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.allSettled(all.map((e) => e.promise));
    await Promise.allSettled(all.filter((e) => e.pins === 0).map((e) => this.#release(e)));
  }

  #entryFor(league: string): Entry {
    if (this.#closed) {
      throw new HttpError(503, "Model registry is closed", { code: "model_unavailable" });
    }
    const hit = this.#entries.get(league);
    if (hit) {
      this.#entries.delete(league);
      this.#entries.set(league, hit);
      return hit;
    }
    const entry = { league, pins: 0, evicted: false, released: false } as Entry;
    entry.promise = this.#load(league).then(
      (model) => {
        entry.model = model;
        if (this.#closed) {
          void this.#release(entry);
        } else {
          this.#evictIfNeeded();
        }
        return model;
      },
      (err) => {
        if (this.#entries.get(league) === entry) this.#entries.delete(league);
        throw err;
      },
    );
    this.#entries.set(league, entry);
    return entry;
  }

  #evictIfNeeded(): void {
    while (this.#entries.size > this.#maxCached) {
      let victim: Entry | undefined;
      for (const e of this.#entries.values()) {
        if (e.model) {
          victim = e;
          break;
        }
      }
      if (!victim) return; // only loads in flight; they are counted again when they complete
      this.#entries.delete(victim.league);
      victim.evicted = true;
      this.#log("info", "Model evicted", { league: victim.league });
      if (victim.pins === 0) void this.#release(victim);
    }
  }

  async #release(entry: Entry): Promise<void> {
    if (entry.released || !entry.model) return;
    entry.released = true;
    await releaseModel(entry.model);
    this.#log("debug", "Model released", { league: entry.league });
  }
}
