/**
 * Turns a stored match into the `UpcomingMatch` clients see (REST and WebSocket).
 * @module
 */
import type { BookQuote, PredictionSummary, UpcomingMatch } from "../domain/live_protocol.ts";
import type { Prediction, RequestOdds } from "../domain/prediction.ts";
import type { SourceQuote, StoredMatch } from "./odds_store.ts";

/** The quote of `source`, else the most recently updated one. */
export function pickQuote(match: StoredMatch, source?: string): SourceQuote | undefined {
  return (source ? match.quotes.find((q) => q.source === source) : undefined) ?? match.quotes[0];
}

/** The odds of a quote in the shape a prediction request takes. */
export function requestOdds(quote: SourceQuote): RequestOdds {
  const o = quote.odds;
  return {
    ...o.x12,
    ...(o.over_2_5 !== undefined ? { over_2_5: o.over_2_5 } : {}),
    ...(o.under_2_5 !== undefined ? { under_2_5: o.under_2_5 } : {}),
    ...(o.btts_yes !== undefined ? { btts_yes: o.btts_yes } : {}),
    ...(o.btts_no !== undefined ? { btts_no: o.btts_no } : {}),
  };
}

/** One source's prices as a named book of a prediction request. */
export type NamedBook = RequestOdds & { name: string };

/** Every quote of a match as a named book (the source's name), most recently updated first. */
export function matchBookmakers(match: StoredMatch): NamedBook[] {
  return match.quotes.map((q) => ({ name: q.source, ...requestOdds(q) }));
}

/** Every quote of a match as clients see it: {@link matchBookmakers} with their update times. */
export function bookQuotes(match: StoredMatch): BookQuote[] {
  return match.quotes.map((q) => ({ name: q.source, ...requestOdds(q), updated_at: q.updated_at }));
}

/** The client view of a stored match at one source (default: the latest updated), with the full prediction. */
export function toUpcomingMatch(
  match: StoredMatch,
  options: { source?: string; prediction?: Prediction } = {},
): UpcomingMatch<Prediction> | undefined {
  const quote = pickQuote(match, options.source);
  if (!quote) return undefined;
  return {
    id: match.id,
    league: match.league,
    home_team: match.home_team,
    away_team: match.away_team,
    kickoff: match.kickoff,
    source: quote.source,
    odds: quote.odds,
    opening_odds: quote.opening_odds,
    updated_at: quote.updated_at,
    bookmakers: bookQuotes(match),
    ...(options.prediction ? { prediction: options.prediction } : {}),
    value_bets: options.prediction?.value_bets ?? [],
  };
}

/** The headline numbers of a prediction, copied field by field (nothing else leaks through). */
export function summarizePrediction(p: PredictionSummary): PredictionSummary {
  return {
    probabilities: {
      home_win: p.probabilities.home_win,
      draw: p.probabilities.draw,
      away_win: p.probabilities.away_win,
    },
    expected_goals: { home: p.expected_goals.home, away: p.expected_goals.away },
    fair_odds: { home: p.fair_odds.home, draw: p.fair_odds.draw, away: p.fair_odds.away },
    model: { version: p.model.version, variant: p.model.variant },
  };
}

/** The view live events and the board carry: the match with a {@link summarizePrediction} summary. */
export function toMatchSummary(view: UpcomingMatch<PredictionSummary>): UpcomingMatch {
  const { prediction, ...rest } = view;
  return prediction ? { ...rest, prediction: summarizePrediction(prediction) } : rest;
}
