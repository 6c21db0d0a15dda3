/**
 * A least-recently-used cache on a Map (insertion order is recency order).
 * @module
 */

/** A size-capped LRU cache. A capacity of 0 stores nothing. */
export class LruCache<K, V> {
  #map = new Map<K, V>();
  #capacity: number;
  /** The most recently used key: re-reading it needs no reordering (a hot key stays cheap). */
  #last: K | undefined;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`Cache capacity must be a non-negative integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** The value of `key`, marking it most recently used, or undefined. */
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v === undefined || key === this.#last) return v;
    this.#map.delete(key);
    this.#map.set(key, v);
    this.#last = key;
    return v;
  }

  /** Stores `value`, evicting the least recently used entry when full. */
  set(key: K, value: V): void {
    if (this.#capacity === 0) return;
    if (this.#map.has(key)) this.#map.delete(key);
    else if (this.#map.size >= this.#capacity) {
      this.#map.delete(this.#map.keys().next().value as K);
    }
    this.#map.set(key, value);
    this.#last = key;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  delete(key: K): boolean {
    if (key === this.#last) this.#last = undefined;
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
    this.#last = undefined;
  }

  get size(): number {
    return this.#map.size;
  }

  get capacity(): number {
    return this.#capacity;
  }
}
