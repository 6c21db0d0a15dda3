/**
 * Rate-limit counters persisted in Deno KV, designed for throughput: a KV `sum` costs ~150 us
 * and one hot key tops out near 6.5k writes/s, so hits are counted in memory and the deltas are
 * written to KV in the background (every `flushIntervalMs` and on close). The first hit of a
 * client in a window seeds its count from KV, so a restart continues the budget.
 *
 * Trade-offs: within one instance counts are exact; a crash (not a graceful close) loses at most
 * `flushIntervalMs` of hits. With several instances on one shared KV, each instance sees the
 * stored count when it first meets a client in a window plus its own hits, so a client may
 * exceed the limit by what other instances counted meanwhile; a fleet should use Redis.
 * @module
 */
import type { RateLimitStore } from "./store.ts";

/** Options of {@link KvRateLimitStore}. */
export interface KvRateLimitStoreOptions {
  /** How long pending hits may wait before they are written to KV. @default 200 */
  flushIntervalMs?: number;
  /** Key prefix in KV; keys are `[...prefix, windowStart, clientKey]`. @default ["rate_limit"] */
  prefix?: Deno.KvKey;
  /** Called with errors of background writes (the counts stay pending and are retried). */
  onError?: (error: unknown) => void;
}

interface Entry {
  windowStart: number;
  /** Hits counted by this instance in the window. */
  count: number;
  /** Hits not yet written to KV. */
  pending: number;
  /** Count stored in KV when this instance first met the client in the window. */
  seed: number;
  /** Set while the seed is being read. */
  seeding: Promise<void> | null;
}

/** Mutations per KV atomic operation (KV allows 1000). */
const BATCH = 500;

/** A {@link RateLimitStore} on Deno KV with in-memory counting and background flushes. */
export class KvRateLimitStore implements RateLimitStore {
  #kv: Deno.Kv;
  #prefix: Deno.KvKey;
  #interval: number;
  #onError: (error: unknown) => void;
  #entries = new Map<string, Entry>();
  /** Entries of past windows that still have pending hits. */
  #retired: { key: string; entry: Entry }[] = [];
  #currentWindow = -Infinity;
  #cleanedWindow = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | null = null;
  #closed = false;
  /** Consecutive failed writes: retries back off up to 5 s. */
  #failures = 0;

  constructor(kv: Deno.Kv, options: KvRateLimitStoreOptions = {}) {
    this.#kv = kv;
    this.#prefix = options.prefix ?? ["rate_limit"];
    this.#interval = options.flushIntervalMs ?? 200;
    this.#onError = options.onError ?? (() => {});
  }

  hit(key: string, windowStart: number, _windowMs: number): Promise<number> | number {
    if (this.#closed) throw new Error("Rate-limit store is closed");
    if (windowStart > this.#currentWindow) this.#currentWindow = windowStart;
    let e = this.#entries.get(key);
    if (e && e.windowStart !== windowStart) {
      if (windowStart < e.windowStart) {
        // A straggler from a window this client has already left: it cannot raise the budget
        // of the current window, so answer with the current count.
        return e.count + e.seed;
      }
      if (e.pending > 0) this.#retired.push({ key, entry: e });
      e = undefined;
    }
    if (!e) {
      e = { windowStart, count: 0, pending: 0, seed: 0, seeding: null };
      const entry = e;
      entry.seeding = this.#kv.get<Deno.KvU64>([...this.#prefix, windowStart, key]).then(
        (r) => {
          entry.seed = r.value ? Number(r.value.value) : 0;
        },
        (err) => this.#onError(err),
      ).finally(() => {
        entry.seeding = null;
      });
      this.#entries.set(key, e);
    }
    e.count++;
    e.pending++;
    this.#schedule();
    if (e.seeding) {
      const mine = e.count, entry = e;
      return e.seeding.then(() => entry.seed + mine);
    }
    return e.seed + e.count;
  }

  /** Number of clients tracked in memory. */
  get size(): number {
    return this.#entries.size;
  }

  /** Writes pending hits to KV now. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing.then(() => this.#flushNow());
    return this.#flushNow();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.all([...this.#entries.values()].map((e) => e.seeding));
    await this.flush();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const delay = Math.min(5000, this.#interval * 2 ** this.#failures);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(this.#onError);
    }, delay);
  }

  #flushNow(): Promise<void> {
    const p = this.#write().finally(() => {
      if (this.#flushing === p) this.#flushing = null;
    });
    this.#flushing = p;
    return p;
  }

  async #write(): Promise<void> {
    const batch: { key: string; entry: Entry; delta: number }[] = [];
    for (const r of this.#retired.splice(0)) {
      batch.push({ key: r.key, entry: r.entry, delta: r.entry.pending });
      r.entry.pending = 0;
    }
    for (const [key, entry] of this.#entries) {
      if (entry.windowStart < this.#currentWindow && entry.pending === 0 && !entry.seeding) {
        this.#entries.delete(key);
        continue;
      }
      // Writing before the seed is read would make the seed count these hits twice.
      if (entry.pending === 0 || entry.seeding) continue;
      batch.push({ key, entry, delta: entry.pending });
      entry.pending = 0;
    }
    for (let i = 0; i < batch.length; i += BATCH) {
      const part = batch.slice(i, i + BATCH);
      const op = this.#kv.atomic();
      for (const b of part) {
        op.sum([...this.#prefix, b.entry.windowStart, b.key], BigInt(b.delta));
      }
      try {
        await op.commit();
      } catch (err) {
        for (const b of part) b.entry.pending += b.delta;
        for (const b of part) {
          if (this.#entries.get(b.key) !== b.entry) this.#retired.push(b);
        }
        this.#failures++;
        this.#onError(err);
        this.#schedule();
        return;
      }
    }
    this.#failures = 0;
    if (this.#currentWindow > this.#cleanedWindow) await this.#deleteOldWindows();
    if ([...this.#entries.values()].some((e) => e.pending > 0)) this.#schedule();
  }

  /** Deletes counters of windows before the current one, a bounded number per flush. */
  async #deleteOldWindows(): Promise<void> {
    const window = this.#currentWindow;
    try {
      const iter = this.#kv.list({ start: [...this.#prefix, 0], end: [...this.#prefix, window] }, {
        limit: 1000,
      });
      let op = this.#kv.atomic(), n = 0, total = 0;
      for await (const r of iter) {
        op.delete(r.key);
        n++;
        total++;
        if (n === BATCH) {
          await op.commit();
          op = this.#kv.atomic();
          n = 0;
        }
      }
      if (n > 0) await op.commit();
      if (total < 1000) this.#cleanedWindow = window;
    } catch (err) {
      this.#onError(err);
    }
  }
}
