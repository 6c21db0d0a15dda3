/**
 * The value bets open per match (its prediction sees every source's prices), and the `value_bet` events (open, update, close)
 * a new prediction implies.
 * @module
 */
import type { UpcomingMatch, ValueBetEvent } from "../domain/live_protocol.ts";
import type { Prediction, ValueBet } from "../domain/prediction.ts";
import type { LiveEvent } from "./broker.ts";

/** A current value bet with its match. */
export type CurrentValueBet = Omit<ValueBetEvent, "action"> & { source: string };

interface OpenBets {
  match: UpcomingMatch;
  bets: Map<string, ValueBet>;
}

function betKey(b: ValueBet): string {
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

/** Open value bets, keyed by match id: one bet per (match, market, selection) across sources. */
export class ValueBetTracker {
  #open = new Map<string, OpenBets>();

  /** Records the value bets of `prediction` and returns the events that changed. */
  update(view: UpcomingMatch, prediction: Prediction): LiveEvent[] {
    const k = view.id;
    const before = this.#open.get(k)?.bets ?? new Map<string, ValueBet>();
    const after = new Map(prediction.value_bets.map((b) => [betKey(b), b]));
    const base = matchFields(view);
    const events: LiveEvent[] = [];
    for (const [key, bet] of after) {
      const prev = before.get(key);
      if (!prev) events.push({ type: "value_bet", bet: { ...bet, ...base, action: "open" } });
      else if (prev.odds !== bet.odds || Math.abs(prev.edge - bet.edge) >= 1e-4) {
        events.push({ type: "value_bet", bet: { ...bet, ...base, action: "update" } });
      }
    }
    for (const [key, bet] of before) {
      if (!after.has(key)) {
        events.push({ type: "value_bet", bet: { ...bet, ...base, action: "close" } });
      }
    }
    if (after.size) this.#open.set(k, { match: view, bets: after });
    else this.#open.delete(k);
    return events;
  }

  /** Value bets of matches not kicked off at `now` (ISO date-time), best edge first. */
  current(now: string): CurrentValueBet[] {
    const out: CurrentValueBet[] = [];
    for (const { match, bets } of this.#open.values()) {
      if (match.kickoff < now) continue;
      for (const bet of bets.values()) {
        out.push({ ...bet, ...matchFields(match), source: match.source });
      }
    }
    return out.sort((a, b) => b.edge - a.edge);
  }

  /** Forgets bets of matches that kicked off before `cutoff` (ISO date-time). */
  prune(cutoff: string): void {
    for (const [k, b] of this.#open) if (b.match.kickoff < cutoff) this.#open.delete(k);
  }
}
