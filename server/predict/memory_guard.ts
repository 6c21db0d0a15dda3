/**
 * The memory-pressure guard: above a resident-memory limit, new (uncached) predictions are
 * refused with 503 and a `Retry-After`, so a process near its memory cap sheds work instead of
 * being killed. One reading serves every request for `sampleMs`.
 * @module
 */
import { HttpError } from "../http/errors.ts";

/** A memory reading against the limit. */
export interface MemoryReading {
  rss: number;
  limit: number;
  underPressure: boolean;
}

/** Options of {@link MemoryGuard}. */
export interface MemoryGuardOptions {
  /** Resident memory above which the guard refuses. */
  limitBytes: number;
  /** Reads the resident memory in bytes. */
  read: () => number;
  /** How long a reading is reused, in milliseconds. */
  sampleMs: number;
  /** Clock in milliseconds. */
  now: () => number;
}

/** Samples resident memory and refuses work above the limit. */
export class MemoryGuard {
  readonly #options: MemoryGuardOptions;
  #rss = 0;
  #sampledAt = -Infinity;

  constructor(options: MemoryGuardOptions) {
    this.#options = options;
  }

  /** The last reading (taken now if the previous one is older than `sampleMs`). */
  reading(): MemoryReading {
    const { limitBytes, read, sampleMs, now } = this.#options;
    const t = now();
    if (t - this.#sampledAt >= sampleMs) {
      this.#rss = read();
      this.#sampledAt = t;
    }
    return { rss: this.#rss, limit: limitBytes, underPressure: this.#rss > limitBytes };
  }

  /** Throws HttpError 503 (`memory_pressure`) when memory is above the limit. */
  check(): void {
    if (this.reading().underPressure) {
      throw new HttpError(503, "Server is under memory pressure, retry shortly", {
        code: "memory_pressure",
        headers: { "Retry-After": "10" },
      });
    }
  }
}
