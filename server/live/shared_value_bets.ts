/**
 * The open value bets of a match when the fleet shares them (Redis). A match can be priced by
 * several sources whose leaders are different instances, so two leaders may compute a match's
 * bets at once. Each write is a compare-and-set on the match's revision (bumped by the writes
 * that open, move or close a bet): a writer whose view of the stored bets is out of date is
 * refused, gets the stored bets back, recomputes its events from them and tries again, so no
 * event is announced twice and no writer's change is lost.
 *
 * Stored bets carry the prices they were computed from (each source's change count): a writer
 * whose prices are no newer than the stored ones (a slower leader that read the prices before
 * the writer that got there first) writes nothing, as its prices are in the stored bets already.
 *
 * The last bets an instance read or wrote for a match are kept, so a change normally costs no
 * read: the compare-and-set finds out when they went out of date. When nobody else changed the
 * match's prices since (the only new change is this writer's own) and the change opens, moves or
 * closes no bet, no round trip is made at all.
 * @module
 */
import { Counter, type Registry } from "prom-client";
import type { UpcomingMatch } from "../domain/live_protocol.ts";
import type { Prediction } from "../domain/prediction.ts";
import type { LiveEvent } from "./broker.ts";
import type { StoredMatch } from "./odds_store.ts";
import { type OpenMatchBets, ValueBetTracker } from "./value_bet_tracker.ts";

/** Per quote source, the quote's change count (`SourceQuote.changes`) the bets were made from. */
export type PriceStamp = Record<string, number>;

/** A match's value bets as stored. */
export interface StoredValueBets {
  /** The bets (an empty list when none is open), null when never written. */
  open: OpenMatchBets | null;
  /** The prices they were computed from. */
  prices: PriceStamp;
  /** Bumped by every write that opened, moved or closed a bet; 0 before the first. */
  revision: number;
}

/** A compare-and-set write of {@link ValueBetStore.put}. */
export interface ValueBetWrite {
  /** The match's bets (an empty list when none is open). */
  open: OpenMatchBets;
  prices: PriceStamp;
  /** The revision the writer computed from: the write is refused when it is no longer stored. */
  revision: number;
  /**
   * The write opens, moves or closes a bet (it bumps the revision). A write that announces
   * nothing keeps the revision: the bets others computed from are still the stored ones.
   */
  announces: boolean;
  /** The source whose lease fences the write. */
  source: string;
}

/** What {@link ValueBetStore.put} did. */
export type ValueBetWriteResult =
  | { outcome: "written"; revision: number }
  /** Another writer came first: what is stored now. */
  | { outcome: "conflict"; current: StoredValueBets }
  /** Fenced out: this instance does not hold the source's lease. */
  | { outcome: "refused" };

/** Where shared open value bets live (the fleet's Redis). */
export interface ValueBetStore {
  /** The stored bets of a match (revision 0 when none). */
  get(matchId: string): Promise<StoredValueBets>;
  /**
   * Writes a match's bets if its stored revision is still the one given and the stored bets were
   * made from older prices than the write's.
   */
  put(matchId: string, write: ValueBetWrite): Promise<ValueBetWriteResult>;
  /** Every stored match with open bets. */
  all(): Promise<OpenMatchBets[]>;
  /** Drops the bets of matches that kicked off before `cutoff` (ISO date-time). */
  prune(cutoff: string): Promise<void>;
}

/** One match's new prices, for {@link SharedValueBets.update}. */
export interface PricedMatch {
  view: UpcomingMatch;
  prediction: Prediction;
  /** The stored match the prediction was made from (every source's quote). */
  match: StoredMatch;
  /** The quote source whose change this is. */
  source: string;
  /** The source whose lease fences the write (the feed). */
  feed: string;
}

/** Options of {@link SharedValueBets}. */
export interface SharedValueBetsOptions {
  /** Writes tried before a change is given up. @default 5 */
  maxAttempts?: number;
  /** Registry of the conflict counter (`/metrics`). @default none */
  registry?: Registry;
  /** Where a change given up is logged, once per episode and feed. @default console.warn */
  log?: (message: string) => void;
}

const NOTHING: StoredValueBets = { open: null, prices: {}, revision: 0 };

/** The change counts of a match's quotes. */
export function priceStamp(match: StoredMatch): PriceStamp {
  return Object.fromEntries(match.quotes.map((q) => [q.source, q.changes]));
}

/** Whether bets made from `stored` already include every price of `prices`. */
export function pricesCovered(stored: PriceStamp, prices: PriceStamp): boolean {
  return Object.entries(prices).every(([source, n]) => (stored[source] ?? 0) >= n);
}

/** `prices` before the one change of `source`. */
function before(prices: PriceStamp, source: string): PriceStamp {
  const out = { ...prices };
  if ((out[source] ?? 0) <= 1) delete out[source];
  else out[source]--;
  return out;
}

function sameStamp(a: PriceStamp, b: PriceStamp): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Shared open value bets, written by compare-and-set; see the module documentation. */
export class SharedValueBets {
  readonly store: ValueBetStore;
  readonly #known = new Map<string, StoredValueBets>();
  readonly #maxAttempts: number;
  readonly #log: (message: string) => void;
  readonly #conflicts: Counter<"outcome">;
  /** Feeds whose last change was given up (one line per episode). */
  readonly #givenUp = new Set<string>();

  constructor(store: ValueBetStore, options: SharedValueBetsOptions = {}) {
    this.store = store;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#log = options.log ?? ((m) => console.warn(m));
    this.#conflicts = new Counter({
      name: "sabiscore_fleet_value_bet_conflicts_total",
      help:
        "Value-bet writes that met a concurrent writer: retried, or exhausted (the change is not stored)",
      labelNames: ["outcome"] as const,
      registers: options.registry ? [options.registry] : [],
    });
    for (const outcome of ["retried", "exhausted"]) this.#conflicts.inc({ outcome }, 0);
  }

  /**
   * Applies a match's new prediction to the stored bets and returns the events to publish, or
   * null when nothing was stored (fenced out, or every attempt met a concurrent writer): the
   * events are then not this instance's to announce.
   */
  async update(change: PricedMatch): Promise<LiveEvent[] | null> {
    const id = change.view.id;
    const prices = priceStamp(change.match);
    const known = this.#known.get(id);
    let base = known ?? NOTHING;
    // Nobody else changed the prices since the bets this instance knows: they are still stored.
    let current = known !== undefined && sameStamp(known.prices, before(prices, change.source));
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (pricesCovered(base.prices, prices)) {
        this.#remember(id, base);
        return [];
      }
      const tracker = new ValueBetTracker();
      tracker.restore(id, base.open);
      const events = tracker.update(change.view, change.prediction);
      const open = tracker.openOf(id) ?? { match: change.view, bets: [] };
      if (current && events.length === 0) {
        // Nothing to announce and nothing another writer could have changed: the stored bets
        // stay (as an unchanged bet's price moving within the tolerance never rewrote them).
        this.#remember(id, { open, prices, revision: base.revision });
        return [];
      }
      let r: ValueBetWriteResult;
      try {
        r = await this.store.put(id, {
          open,
          prices,
          revision: base.revision,
          source: change.feed,
          announces: events.length > 0,
        });
      } catch (error) {
        // The write may or may not have landed: the next change starts from the stored bets.
        this.#known.delete(id);
        throw error;
      }
      if (r.outcome === "refused") {
        this.#known.delete(id);
        return null;
      }
      if (r.outcome === "written") {
        this.#remember(id, { open, prices, revision: r.revision });
        this.#givenUp.delete(change.feed);
        return events;
      }
      if (attempt < this.#maxAttempts) this.#conflicts.inc({ outcome: "retried" });
      base = r.current;
      current = false;
    }
    this.#known.delete(id);
    this.#conflicts.inc({ outcome: "exhausted" });
    if (!this.#givenUp.has(change.feed)) {
      this.#givenUp.add(change.feed);
      this.#log(
        `Value bets of "${id}" not stored: ${this.#maxAttempts} writes in a row met a ` +
          `concurrent writer (source "${change.feed}"); the next change of the match starts ` +
          `again from the stored bets, no further line until a write of this source succeeds`,
      );
    }
    return null;
  }

  /** Forgets the bets of matches that kicked off before `cutoff` (ISO date-time), here and stored. */
  async prune(cutoff: string): Promise<void> {
    for (const [id, b] of this.#known) {
      if (b.open && b.open.match.kickoff < cutoff) this.#known.delete(id);
    }
    await this.store.prune(cutoff);
  }

  /** Keeps the newest of what this instance knows (changes of a match may run concurrently). */
  #remember(id: string, next: StoredValueBets): void {
    const known = this.#known.get(id);
    if (
      !known || next.revision > known.revision ||
      (next.revision === known.revision && pricesCovered(next.prices, known.prices))
    ) this.#known.set(id, next);
  }
}
