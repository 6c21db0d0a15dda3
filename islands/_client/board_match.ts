/**
 * The slim match the live board keeps: what a board row shows and nothing more (no score
 * matrix, no opening or totals prices), so the page stays small however many matches it lists.
 * @module
 */
import type {
  MatchOdds,
  PredictionSummary,
  UpcomingMatch,
} from "../../server/domain/live_protocol.ts";

/** A match as the board shows it. */
export type BoardMatch =
  & Pick<
    UpcomingMatch,
    "id" | "league" | "home_team" | "away_team" | "kickoff" | "source" | "value_bets"
  >
  & {
    odds: Pick<MatchOdds, "x12">;
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
  if (m.prediction) slim.prediction = { probabilities: m.prediction.probabilities };
  return slim;
}
