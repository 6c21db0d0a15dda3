/**
 * In-memory rate-limit counters: exact within one process, lost on restart. For tests and for
 * running without persistence.
 * @module
 */
import type { RateLimitStore } from "./store.ts";

interface Counter {
  windowStart: number;
  count: number;
}

/** A {@link RateLimitStore} held in a Map; counters of past windows are dropped lazily. */
export class MemoryRateLimitStore implements RateLimitStore {
  #counters = new Map<string, Counter>();
  #currentWindow = -Infinity;

  hit(key: string, windowStart: number, _windowMs: number): number {
    if (windowStart > this.#currentWindow) {
      // A new window began: every older counter is dead weight.
      this.#currentWindow = windowStart;
      for (const [k, c] of this.#counters) {
        if (c.windowStart < windowStart) this.#counters.delete(k);
      }
    }
    const c = this.#counters.get(key);
    if (c && c.windowStart === windowStart) return ++c.count;
    this.#counters.set(key, { windowStart, count: 1 });
    return 1;
  }

  /** Number of clients tracked. */
  get size(): number {
    return this.#counters.size;
  }

  close(): void {
    this.#counters.clear();
  }
}
