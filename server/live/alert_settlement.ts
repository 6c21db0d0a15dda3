/**
 * Pure maths of alert settlement: which prices make up a market, the fair closing probability
 * of a selection (margin removed, `server/domain/margins.ts`), and whether a bet won given the
 * final score. The closing line value itself is `closingLineValue` of `server/domain/staking.ts`.
 * @module
 */
import type { MatchOdds } from "../domain/live_protocol.ts";
import { fairProbabilities, type MarginMethod } from "../domain/margins.ts";

/** The selections of each market, in the order their prices are read. */
const MARKET_SELECTIONS: Record<string, string[]> = {
  "1x2": ["home", "draw", "away"],
  "totals_2_5": ["over", "under"],
  "btts": ["yes", "no"],
};

/** Decimal prices of every selection of `market` in `odds`, or null if any is missing. */
export function marketPrices(odds: MatchOdds, market: string): Record<string, number> | null {
  const prices: Record<string, number | undefined> = market === "1x2"
    ? { home: odds.x12?.home, draw: odds.x12?.draw, away: odds.x12?.away }
    : market === "totals_2_5"
    ? { over: odds.over_2_5, under: odds.under_2_5 }
    : market === "btts"
    ? { yes: odds.btts_yes, no: odds.btts_no }
    : {};
  const selections = MARKET_SELECTIONS[market];
  if (!selections) return null;
  const out: Record<string, number> = {};
  for (const s of selections) {
    const p = prices[s];
    if (typeof p !== "number" || !Number.isFinite(p) || p <= 1) return null;
    out[s] = p;
  }
  return out;
}

/** The closing price and fair closing probability of one selection, or null if unknown. */
export function closingSnapshot(
  closing: MatchOdds,
  market: string,
  selection: string,
  method: MarginMethod = "normalise",
): { price: number; fairProbability: number } | null {
  const prices = marketPrices(closing, market);
  if (!prices || !(selection in prices)) return null;
  const names = Object.keys(prices);
  const fair = fairProbabilities(names.map((n) => prices[n]), method);
  return { price: prices[selection], fairProbability: fair[names.indexOf(selection)] };
}

/** Whether a selection won given the final score; null for an unknown market or selection. */
export function selectionWon(
  market: string,
  selection: string,
  homeGoals: number,
  awayGoals: number,
): boolean | null {
  switch (`${market}:${selection}`) {
    case "1x2:home":
      return homeGoals > awayGoals;
    case "1x2:draw":
      return homeGoals === awayGoals;
    case "1x2:away":
      return homeGoals < awayGoals;
    case "totals_2_5:over":
      return homeGoals + awayGoals > 2.5;
    case "totals_2_5:under":
      return homeGoals + awayGoals < 2.5;
    case "btts:yes":
      return homeGoals > 0 && awayGoals > 0;
    case "btts:no":
      return homeGoals === 0 || awayGoals === 0;
    default:
      return null;
  }
}
