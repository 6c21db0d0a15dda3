/**
 * The slim match the live board keeps: what a board row shows and nothing more. The page carries
 * every match twice (as markup and as the island's props), so the props hold the best 1X2 offer
 * of each side instead of every book's prices (the match page keeps the full table), value bets
 * with only the fields a badge shows, and numbers only as precise as the row prints them.
 * @module
 */
import type { UpcomingMatch } from "../../server/domain/live_protocol.ts";
import type { ValueBet } from "../../server/domain/prediction.ts";
import { type BestOffer, bestOffers, booksOfMatch } from "./book_prices.ts";
import { formatOdds, formatPercent, formatSignedPercent } from "./format.ts";

/** A value bet as a board badge shows it. */
export type BoardValueBet = Pick<
  ValueBet,
  "market" | "selection" | "odds" | "bookmaker" | "edge" | "forecast" | "fair_odds"
>;

/** A match as the board shows it. */
export interface BoardMatch {
  id: string;
  league: string;
  home_team: string;
  away_team: string;
  kickoff: string;
  /** The best 1X2 price of each side across the books, with the books offering it. */
  best: { home?: BestOffer; draw?: BestOffer; away?: BestOffer };
  /** The model's 1X2. */
  probabilities?: { home_win: number; draw: number; away_win: number };
  value_bets: BoardValueBet[];
}

/** `x` rounded to `digits` decimals when that prints the same, else `x` itself. */
function rounded(x: number, digits: number, show: (x: number) => string): number {
  const r = Number(x.toFixed(digits));
  return show(r) === show(x) ? r : x;
}

/** The bar's percentages come from the three shares normalised, so all three are checked. */
function shownShares(p: { home_win: number; draw: number; away_win: number }): string {
  const total = p.home_win + p.draw + p.away_win || 1;
  return [p.home_win, p.draw, p.away_win].map((x) => formatPercent(x / total)).join();
}

function slimProbabilities(p: { home_win: number; draw: number; away_win: number }) {
  // Four decimals draw the bar to a tenth of a pixel; the labels must stay the same.
  const r = {
    home_win: Number(p.home_win.toFixed(4)),
    draw: Number(p.draw.toFixed(4)),
    away_win: Number(p.away_win.toFixed(4)),
  };
  const exact = { home_win: p.home_win, draw: p.draw, away_win: p.away_win };
  return shownShares(r) === shownShares(exact) ? r : exact;
}

/** Drops what the board does not show. */
export function toBoardMatch(m: UpcomingMatch): BoardMatch {
  const all = bestOffers(booksOfMatch(m));
  const best: BoardMatch["best"] = {};
  if (all.home) best.home = all.home;
  if (all.draw) best.draw = all.draw;
  if (all.away) best.away = all.away;
  const slim: BoardMatch = {
    id: m.id,
    league: m.league,
    home_team: m.home_team,
    away_team: m.away_team,
    kickoff: m.kickoff,
    best,
    value_bets: m.value_bets.map((b) => ({
      market: b.market,
      selection: b.selection,
      odds: b.odds,
      bookmaker: b.bookmaker,
      edge: rounded(b.edge, 4, formatSignedPercent),
      forecast: b.forecast,
      fair_odds: rounded(b.fair_odds, 3, formatOdds),
    })),
  };
  const p = m.prediction?.probabilities;
  if (p) slim.probabilities = slimProbabilities(p);
  return slim;
}
