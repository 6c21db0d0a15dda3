/**
 * Writes the fence refused, made visible: a leader paused past its lease (or an instance that
 * lost it mid-scrape) has its odds, event, alert and value-bet writes turned away by the write
 * scripts, which is the fence working, but an operator must see it happen. Each refusal counts
 * in `sabiscore_fleet_fenced_writes_total{kind}` and in `/health`; the first refusal of an
 * episode (per kind and source) logs one warning, and the next line waits until a write of
 * that kind and source is accepted again.
 * @module
 */
import client from "prom-client";

/** What the fence guards. */
export type FencedKind = "odds" | "event" | "alert" | "value_bet";

const KINDS: readonly FencedKind[] = ["odds", "event", "alert", "value_bet"];

/** Where fenced writers report what the fence did with their writes. */
export interface FenceReport {
  /** A write for `source` was refused: this instance's fencing token is stale or missing. */
  refused(kind: FencedKind, source: string): void;
  /** A fenced write for `source` was accepted: ends a refusal episode. */
  written(kind: FencedKind, source: string): void;
}

/** Options of {@link FencedWrites}. */
export interface FencedWritesOptions {
  /** Registry of the counter. @default none (counted for `/health` only) */
  registry?: client.Registry;
  /** Where the once-per-episode warning goes. @default console.warn */
  log?: (message: string) => void;
}

/** Counts and logs the refused writes of one instance. */
export class FencedWrites implements FenceReport {
  readonly #counts: Record<FencedKind, number> = { odds: 0, event: 0, alert: 0, value_bet: 0 };
  readonly #episodes = new Set<string>();
  readonly #log: (message: string) => void;
  readonly #counter: client.Counter<"kind">;

  constructor(options: FencedWritesOptions = {}) {
    this.#log = options.log ?? ((message) => console.warn(message));
    this.#counter = new client.Counter({
      name: "sabiscore_fleet_fenced_writes_total",
      help: "Writes refused by the fencing token (stale or non-leader instance), by kind",
      labelNames: ["kind"] as const,
      registers: options.registry ? [options.registry] : [],
    });
    // Every kind reads 0 from the start, so a rate over it exists before the first refusal.
    for (const kind of KINDS) this.#counter.inc({ kind }, 0);
  }

  refused(kind: FencedKind, source: string): void {
    this.#counts[kind]++;
    this.#counter.inc({ kind });
    const episode = `${kind}\n${source}`;
    if (this.#episodes.has(episode)) return;
    this.#episodes.add(episode);
    this.#log(
      `Fenced out: ${kind} writes for source "${source}" are refused (this instance no longer ` +
        `holds its lease); no further line until one is accepted again`,
    );
  }

  written(kind: FencedKind, source: string): void {
    this.#episodes.delete(`${kind}\n${source}`);
  }

  /** Refused writes by kind, for `/health`. */
  counts(): Record<FencedKind, number> {
    return { ...this.#counts };
  }
}
