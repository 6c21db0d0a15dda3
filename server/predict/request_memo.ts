/**
 * Remembers validated prediction requests by their exact body text, for bodies that repeat (a
 * page polling the same fixture, a client retrying): a repeat skips `JSON.parse` and schema
 * validation. The answer still goes through the prediction service (rate limiting, metrics,
 * logs and the result cache are unchanged). Only texts the caller reports as repeated are
 * stored, so a stream of one-off bodies costs one map lookup each and stores nothing.
 * @module
 */
import type { PredictionRequest } from "../domain/prediction.ts";
import { LruCache } from "./lru_cache.ts";

/** Options of {@link RequestMemo}. */
export interface RequestMemoOptions {
  /** Bodies remembered (least recently used dropped first). @default 256 */
  maxEntries?: number;
  /** Longest body text remembered, in UTF-16 code units. @default 1024 */
  maxLength?: number;
}

/** Deep-freezes a validated request, so requests shared between calls cannot be changed. */
function frozen(request: PredictionRequest): PredictionRequest {
  if (request.odds) Object.freeze(request.odds);
  return Object.freeze(request);
}

/** A bounded map from a request body's exact text to its validated request. */
export class RequestMemo {
  #cache: LruCache<string, PredictionRequest>;
  #maxLength: number;

  constructor(options: RequestMemoOptions = {}) {
    this.#cache = new LruCache(options.maxEntries ?? 256);
    this.#maxLength = options.maxLength ?? 1024;
  }

  /** The validated request of a body text seen before, or undefined. */
  get(text: string): PredictionRequest | undefined {
    return this.#cache.get(text);
  }

  /**
   * Remembers `request` as the validation of `text`. Call it only with the request that
   * validating `text` produced; the request is frozen.
   */
  remember(text: string, request: PredictionRequest): void {
    if (text.length > this.#maxLength) return;
    this.#cache.set(text, frozen(request));
  }

  /** Bodies remembered. */
  get size(): number {
    return this.#cache.size;
  }
}
