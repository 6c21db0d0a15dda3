/**
 * Cache admission for one-off results (a "doorkeeper", as in TinyLFU): a result enters the
 * cache only when its key was already missed recently. Traffic in which no request repeats (a
 * client scanning fixtures, or odds that move on every call) then never fills the cache with
 * entries nobody reads. Under such load each entry outlived V8's young generation (1,000
 * entries replaced in a fraction of a second) and was promoted and collected in the old one:
 * 16 MB/s promoted and a full collection every second, with 8-17 ms pauses, at ~3,600 one-off
 * predictions a second. A request that repeats is computed twice, then served from the cache.
 *
 * The filter is a fixed bitset (nothing allocated or kept alive per key): two bits per key from
 * a 32-bit FNV-1a hash, at least 16 bits per remembered key. It is cleared after `resetAfter`
 * new keys, so "recently" means about the last `resetAfter` misses. A false positive admits a
 * one-off key, which is harmless.
 * @module
 */

/** Remembers recently missed keys in a bitset. */
export class CacheAdmissionFilter {
  #bits: Uint32Array;
  #mask: number;
  #seen = 0;
  #resetAfter: number;

  /**
   * `resetAfter`: keys remembered before the filter is cleared. The bitset has at least 16 bits
   * per key (a false-positive rate under 1 %).
   */
  constructor(resetAfter: number) {
    if (!Number.isInteger(resetAfter) || resetAfter < 1) {
      throw new RangeError(`Invalid resetAfter "${resetAfter}": expected a positive integer`);
    }
    let size = 1024;
    while (size < resetAfter * 16) size *= 2;
    this.#bits = new Uint32Array(size / 32);
    this.#mask = size - 1;
    this.#resetAfter = resetAfter;
  }

  /** Records `key`; true when it was (probably) recorded since the last reset. */
  seen(key: string): boolean {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    const a = h & this.#mask;
    const b = (Math.imul(h, 0x9e3779b1) >>> 7) & this.#mask;
    const bits = this.#bits;
    const known = (bits[a >>> 5] & (1 << (a & 31))) !== 0 &&
      (bits[b >>> 5] & (1 << (b & 31))) !== 0;
    if (!known) {
      if (++this.#seen > this.#resetAfter) {
        bits.fill(0);
        this.#seen = 1;
      }
      bits[a >>> 5] |= 1 << (a & 31);
      bits[b >>> 5] |= 1 << (b & 31);
    }
    return known;
  }

  /** Forgets every key. */
  clear(): void {
    this.#bits.fill(0);
    this.#seen = 0;
  }
}
