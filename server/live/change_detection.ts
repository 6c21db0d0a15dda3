/**
 * Change detection of the live pipeline: a validated match goes into the odds store, and when
 * its prices moved beyond the store's tolerance it gets a new prediction, and the `odds` event
 * and the `value_bet` events that opened, moved or closed are published.
 * @module
 */
import type { Registry } from "prom-client";
import type { Prediction } from "../domain/prediction.ts";
import { NotLeaderError } from "../fleet/not_leader.ts";
import { RedisUnavailableError } from "../fleet/redis_unavailable.ts";
import type { LiveEvent, PublishOrigin } from "./broker.ts";
import type { LivePredictor } from "./live_predictor.ts";
import type { OddsStore, StoredMatch } from "./odds_store.ts";
import { toMatchSummary, toUpcomingMatch } from "./upcoming_view.ts";
import { SharedValueBets, type ValueBetStore } from "./shared_value_bets.ts";
import { feedOf, type ScrapedMatch } from "./validate.ts";
import { type CurrentValueBet, currentValueBets, ValueBetTracker } from "./value_bet_tracker.ts";

/** Where the pipeline sends its events (the broker of `server/live/broker.ts` fits). */
export interface EventPublisher {
  /** `origin`: the source whose scrape produced the event. */
  publish(event: LiveEvent, origin?: PublishOrigin): Promise<void>;
}

/** What one match's prices did. */
export interface MatchChange {
  /** The prices changed (or the match appeared). */
  changed: boolean;
  /** Events published. */
  published: number;
}

/** Options of {@link OddsChanges}. */
export interface OddsChangesOptions {
  store: OddsStore;
  predictor: LivePredictor;
  /** @default none: changes are only stored */
  broker?: EventPublisher;
  /**
   * Shared open value bets, written by compare-and-set (`shared_value_bets.ts`). @default none:
   * they are kept in this instance's memory
   */
  valueBets?: ValueBetStore;
  /** Registry of the shared bets' conflict counter (`/metrics`). @default none */
  registry?: Registry;
  /** Logs events that cannot be published. */
  log: (message: string) => void;
}

/** Applies scraped prices to the store and publishes what changed. */
export class OddsChanges {
  #options: OddsChangesOptions;
  #bets = new ValueBetTracker();
  #shared: SharedValueBets | undefined;

  constructor(options: OddsChangesOptions) {
    this.#options = options;
    this.#shared = options.valueBets &&
      new SharedValueBets(options.valueBets, { registry: options.registry, log: options.log });
  }

  /** Stores one scraped match and publishes its events when its prices changed. */
  async apply(m: ScrapedMatch, at: Date): Promise<MatchChange> {
    const r = await this.#options.store.put(m, at);
    if (!r.changed) return { changed: false, published: 0 };
    const prediction = await this.#options.predictor.predict(r.match);
    // Events carry the prediction's summary (~10x smaller); the full one is served by REST.
    const view = toMatchSummary(toUpcomingMatch(r.match, { source: m.source, prediction })!);
    // Events of a source's books are fenced by the lease of the source that scraped them.
    const origin = { source: feedOf(m) };
    let published = Number(
      await this.#publish({ type: "odds", match: view, previous: r.previous }, origin),
    );
    if (prediction) {
      const events = this.#shared
        ? await this.#shared.update({
          view,
          prediction,
          match: r.match,
          source: m.source,
          feed: origin.source,
        })
        : this.#bets.update(view, prediction);
      // Not stored (fenced out, or lost to concurrent writers; both counted): the writer whose
      // bets are stored announces them, from its own prices.
      if (!events) return { changed: true, published };
      for (const e of events) {
        published += Number(await this.#publish(e, origin));
      }
    }
    return { changed: true, published };
  }

  /** The prediction for a stored match at its latest prices. */
  predict(match: StoredMatch): Promise<Prediction | undefined> {
    return this.#options.predictor.predict(match);
  }

  /** Value bets currently open, per match and source. */
  async valueBets(now: Date): Promise<CurrentValueBet[]> {
    if (!this.#shared) return this.#bets.current(now.toISOString());
    return currentValueBets(await this.#shared.store.all(), now.toISOString());
  }

  /** Drops matches that kicked off from the store, the predictions and the open bets. */
  async cleanup(now: () => Date): Promise<void> {
    await this.#options.store.cleanup(now());
    const cutoff = now().toISOString();
    this.#options.predictor.prune(cutoff);
    this.#bets.prune(cutoff);
    await this.#shared?.prune(cutoff);
  }

  async #publish(event: LiveEvent, origin: PublishOrigin): Promise<boolean> {
    if (!this.#options.broker) return false;
    try {
      await this.#options.broker.publish(event, origin);
      return true;
    } catch (error) {
      // The Redis client logs an outage once; a line per event would repeat it. A lease lost
      // mid-scrape is the new leader's to publish, not an error.
      if (!(error instanceof RedisUnavailableError) && !(error instanceof NotLeaderError)) {
        this.#options.log(
          `Cannot publish a live "${event.type}" event: ${(error as Error).message}`,
        );
      }
      return false;
    }
  }
}
