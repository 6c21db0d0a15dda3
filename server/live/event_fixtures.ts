/**
 * Live events for tests and benchmarks: an upcoming match with given prices, value-bet events,
 * and a prediction with a value bet (from the in-memory engine). No I/O.
 * @module
 */
import type { MatchOdds, UpcomingMatch, ValueBetEvent } from "../domain/live_protocol.ts";
import type { BookmakerPrices } from "../domain/bookmakers.ts";
import type { Prediction } from "../domain/prediction.ts";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import type { LiveEvent } from "./live_event.ts";

/** Fields of a fixture match that tests vary. */
export interface MatchFixture {
  id?: string;
  league?: string;
  home?: number;
  draw?: number;
  away?: number;
  kickoff?: string;
  /** Extra characters in the home team name, to make big events. @default 0 */
  padding?: number;
}

/** An upcoming match with 1X2 (and totals / BTTS) prices. */
export function fixtureMatch(f: MatchFixture = {}): UpcomingMatch {
  const odds: MatchOdds = {
    x12: { home: f.home ?? 2.1, draw: f.draw ?? 3.4, away: f.away ?? 3.6 },
    over_2_5: 1.9,
    under_2_5: 1.95,
    btts_yes: 1.8,
    btts_no: 2.0,
  };
  return {
    id: f.id ?? "m1",
    league: f.league ?? "england-premier-league",
    home_team: "Arsenal" + "x".repeat(f.padding ?? 0),
    away_team: "Chelsea",
    kickoff: f.kickoff ?? "2030-01-01T15:00:00.000Z",
    source: "demo",
    odds,
    opening_odds: odds,
    updated_at: "2029-12-31T12:00:00.000Z",
    value_bets: [],
  };
}

/** An `odds` live event. */
export function oddsEvent(f: MatchFixture = {}): LiveEvent {
  return { type: "odds", match: fixtureMatch(f), previous: null };
}

/** A `value_bet` live event. */
export function valueBetEvent(bet: Partial<ValueBetEvent> = {}): LiveEvent {
  return {
    type: "value_bet",
    bet: {
      action: "open",
      match_id: "m1",
      league: "england-premier-league",
      home_team: "Arsenal",
      away_team: "Chelsea",
      kickoff: "2030-01-01T15:00:00.000Z",
      market: "1x2",
      selection: "home",
      odds: 2.2,
      bookmaker: "demo",
      books: 1,
      forecast: "fair",
      probability: 0.5,
      fair_odds: 2,
      expected_clv: null,
      expected_clv_ci95: null,
      edge: 0.1,
      kelly_fraction: 0.02,
      ...bet,
    },
  };
}

/**
 * A prediction with a home value bet of about `edge` (a slow book against Pinnacle's price); an
 * edge under the policy's close edge leaves none open.
 */
export async function predictionWithEdge(edge: number): Promise<Prediction> {
  const engine = createMemoryEngine();
  const request = { league: "EPL", home_team: "Arsenal", away_team: "Burnley" };
  const pinnacle: BookmakerPrices = { name: "Pinnacle", home: 1.5, draw: 4.4, away: 6.5 };
  const fair = (await engine.predict({ ...request, bookmakers: [pinnacle] })).probabilities;
  const slow: BookmakerPrices = {
    name: "Slow",
    home: (1 + edge) / fair.home_win,
    draw: 3,
    away: 4,
  };
  return await engine.predict({ ...request, bookmakers: [pinnacle, slow] });
}
