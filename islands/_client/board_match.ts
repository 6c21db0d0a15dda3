/**
 * The slim match the live board keeps: what a board row shows and nothing more (no score
 * matrix, no opening or totals prices, only each book's 1X2 prices), so the page stays small
 * however many matches it lists.
 * @module
 */
import type {
  MatchOdds,
  PredictionSummary,
  UpcomingMatch,
} from "../../server/domain/live_protocol.ts";
import type { ShownBook } from "./book_prices.ts";

/** A match as the board shows it. */
export type BoardMatch =
  & Pick<
    UpcomingMatch,
    "id" | "league" | "home_team" | "away_team" | "kickoff" | "source" | "value_bets"
  >
  & {
    odds: Pick<MatchOdds, "x12">;
    /** Every book's 1X2 prices (the board shows no other market). */
    bookmakers?: ShownBook[];
    prediction?: Pick<PredictionSummary, "probabilities">;
  };

/** Drops what the board does not show. */
export function toBoardMatch(m: UpcomingMatch | BoardMatch): BoardMatch {
  const slim: BoardMatch = {
    id: m.id,
    league: m.league,
    home_team: m.home_team,
    away_team: m.away_team,
    kickoff: m.kickoff,
    source: m.source,
    odds: { x12: m.odds.x12 },
    value_bets: m.value_bets,
  };
  if (m.bookmakers) {
    slim.bookmakers = m.bookmakers.map((b) => ({
      name: b.name,
      home: b.home,
      draw: b.draw,
      away: b.away,
    }));
  }
  if (m.prediction) slim.prediction = { probabilities: m.prediction.probabilities };
  return slim;
}
