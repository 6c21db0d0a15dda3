/**
 * Where rate-limit counters live. The embedded service keeps them in Deno KV
 * ({@link KvRateLimitStore}); a fleet can plug in Redis behind the same interface.
 * @module
 */

/** Counts hits per client and fixed window. */
export interface RateLimitStore {
  /**
   * Records one hit of `key` in the window starting at `windowStart` (epoch ms, a multiple of
   * `windowMs`) and returns the number of hits in that window including this one. May answer
   * synchronously when the count is known locally.
   */
  hit(key: string, windowStart: number, windowMs: number): Promise<number> | number;
  /** Persists what is pending and releases timers. The store must not be used afterwards. */
  close(): Promise<void> | void;
}
