/**
 * The value bets open per match (its prediction sees every source's prices), and the
 * `value_bet` events (open, update, close) a new prediction implies. A bet stays open while its
 * best price keeps the edge at or above the policy's close edge (`alert_lifecycle.ts`), so prices
 * wiggling around the threshold do not open and close it again and again.
 * @module
 */
import type { UpcomingMatch, ValueBetEvent } from "../domain/live_protocol.ts";
import type { Prediction, ValueBet } from "../domain/prediction.ts";
import { kellyStake } from "../domain/staking.ts";
import { DEFAULT_VALUE_POLICY } from "../domain/value_policy.ts";
import { lifecycleStep } from "./alert_lifecycle.ts";
import type { LiveEvent } from "./broker.ts";

/** A current value bet with its match. */
export type CurrentValueBet = Omit<ValueBetEvent, "action"> & { source: string };

interface OpenBets {
  match: UpcomingMatch;
  bets: Map<string, ValueBet>;
}

/** The open bets of one match as stored outside the tracker (the fleet keeps them in Redis). */
export interface OpenMatchBets {
  match: UpcomingMatch;
  bets: ValueBet[];
}

function betKey(b: { market: string; selection: string }): string {
  return `${b.market}/${b.selection}`;
}

function matchFields(match: UpcomingMatch) {
  return {
    match_id: match.id,
    league: match.league,
    home_team: match.home_team,
    away_team: match.away_team,
    kickoff: match.kickoff,
  };
}

/** An open bet at the prediction's best price, when it is no longer a value bet itself. */
function stillOpen(prev: ValueBet, prediction: Prediction): ValueBet | undefined {
  const quote = prediction.best_prices?.find((q) => betKey(q) === betKey(prev));
  if (!quote) return undefined;
  const policy = prediction.value_policy ?? DEFAULT_VALUE_POLICY;
  return {
    ...prev,
    odds: quote.odds,
    bookmaker: quote.bookmaker,
    books: quote.books,
    probability: quote.probability,
    fair_odds: 1 / quote.probability,
    edge: quote.edge,
    kelly_fraction: kellyStake(quote.probability, quote.odds, {
      fraction: policy.kelly_fraction,
      cap: policy.kelly_cap,
    }),
  };
}

/** Open value bets, keyed by match id: one bet per (match, market, selection) across sources. */
export class ValueBetTracker {
  #open = new Map<string, OpenBets>();

  /** Records the value bets of `prediction` and returns the events that changed. */
  update(view: UpcomingMatch, prediction: Prediction): LiveEvent[] {
    const k = view.id;
    const before = this.#open.get(k)?.bets ?? new Map<string, ValueBet>();
    const value = new Map(prediction.value_bets.map((b) => [betKey(b), b]));
    const policy = prediction.value_policy ?? DEFAULT_VALUE_POLICY;
    const thresholds = { openEdge: policy.min_edge, closeEdge: policy.close_edge };
    const base = matchFields(view);
    const after = new Map<string, ValueBet>();
    const events: LiveEvent[] = [];
    for (const key of new Set([...before.keys(), ...value.keys()])) {
      const prev = before.get(key);
      const bet = value.get(key) ?? (prev && stillOpen(prev, prediction));
      const step = lifecycleStep(prev ? "open" : "none", {
        edge: bet?.edge,
        kickedOff: false,
      }, thresholds);
      if (step === "open") {
        events.push({ type: "value_bet", bet: { ...bet!, ...base, action: "open" } });
      } else if (step === "update") {
        if (prev!.odds !== bet!.odds || Math.abs(prev!.edge - bet!.edge) >= 1e-4) {
          events.push({ type: "value_bet", bet: { ...bet!, ...base, action: "update" } });
        }
      } else if (step === "close") {
        events.push({ type: "value_bet", bet: { ...(bet ?? prev!), ...base, action: "close" } });
      }
      if (step === "open" || step === "update") after.set(key, bet!);
    }
    if (after.size) this.#open.set(k, { match: view, bets: after });
    else this.#open.delete(k);
    return events;
  }

  /** Value bets of matches not kicked off at `now` (ISO date-time), best edge first. */
  current(now: string): CurrentValueBet[] {
    return currentValueBets([...this.#open.keys()].map((k) => this.openOf(k)!), now);
  }

  /** The open bets of a match, null when none is open. */
  openOf(matchId: string): OpenMatchBets | null {
    const open = this.#open.get(matchId);
    return open ? { match: open.match, bets: [...open.bets.values()] } : null;
  }

  /**
   * Replaces what the tracker knows of a match with stored open bets (null: none open), so an
   * instance taking over a source continues from them instead of announcing them again.
   */
  restore(matchId: string, open: OpenMatchBets | null): void {
    if (!open || open.bets.length === 0) this.#open.delete(matchId);
    else {
      this.#open.set(matchId, {
        match: open.match,
        bets: new Map(open.bets.map((b) => [betKey(b), b])),
      });
    }
  }

  /** Forgets bets of matches that kicked off before `cutoff` (ISO date-time). */
  prune(cutoff: string): void {
    for (const [k, b] of this.#open) if (b.match.kickoff < cutoff) this.#open.delete(k);
  }
}

/** The value bets of matches not kicked off at `now` (ISO date-time), best edge first. */
export function currentValueBets(
  open: Iterable<OpenMatchBets>,
  now: string,
): CurrentValueBet[] {
  const out: CurrentValueBet[] = [];
  for (const { match, bets } of open) {
    if (match.kickoff < now) continue;
    for (const bet of bets) out.push({ ...bet, ...matchFields(match), source: match.source });
  }
  return out.sort((a, b) => b.edge - a.edge);
}
