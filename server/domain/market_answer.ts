/**
 * The parts of a prediction answer every engine builds the same way from its markets: fair
 * odds, the priced selections value bets are judged on, and the displayed score matrix.
 * @module
 */
import type { MatrixMarkets, ScoreMatrix } from "./markets.ts";
import type { Prediction, RequestOdds } from "./prediction.ts";
import type { Probs1x2 } from "./types.ts";
import type { PricedSelection } from "./value_bets.ts";

/** Cells of the answer's `score_matrix` are rounded to 1 / this (6 decimals). */
export const SCORE_MATRIX_SCALE = 1e6;

/** Fair (margin-free) decimal odds, 1 / p, of every market an answer prices. */
export function fairOdds(derived: MatrixMarkets): Prediction["fair_odds"] {
  const p = derived.probabilities;
  const m = derived.markets;
  return {
    home: 1 / p.home_win,
    draw: 1 / p.draw,
    away: 1 / p.away_win,
    over_2_5: 1 / m.over_under_2_5.over,
    under_2_5: 1 / m.over_under_2_5.under,
    btts_yes: 1 / m.btts.yes,
    btts_no: 1 / m.btts.no,
  };
}

/** Model probabilities of the priced markets; goals markets are asked for only when priced. */
export interface SelectionProbabilities {
  outcome: Probs1x2;
  overUnder25: () => { over: number; under: number };
  btts: () => { yes: number; no: number };
}

/** The offered prices of `odds` paired with the model's probability of each selection. */
export function pricedSelections(
  odds: RequestOdds,
  probabilities: SelectionProbabilities,
): PricedSelection[] {
  const { outcome } = probabilities;
  const selections: PricedSelection[] = [
    { market: "1x2", selection: "home", odds: odds.home, probability: outcome[0] },
    { market: "1x2", selection: "draw", odds: odds.draw, probability: outcome[1] },
    { market: "1x2", selection: "away", odds: odds.away, probability: outcome[2] },
  ];
  if (odds.over_2_5 !== undefined || odds.under_2_5 !== undefined) {
    const line = probabilities.overUnder25();
    if (odds.over_2_5 !== undefined) {
      selections.push({
        market: "totals_2_5",
        selection: "over",
        odds: odds.over_2_5,
        probability: line.over,
      });
    }
    if (odds.under_2_5 !== undefined) {
      selections.push({
        market: "totals_2_5",
        selection: "under",
        odds: odds.under_2_5,
        probability: line.under,
      });
    }
  }
  if (odds.btts_yes !== undefined || odds.btts_no !== undefined) {
    const b = probabilities.btts();
    if (odds.btts_yes !== undefined) {
      selections.push({
        market: "btts",
        selection: "yes",
        odds: odds.btts_yes,
        probability: b.yes,
      });
    }
    if (odds.btts_no !== undefined) {
      selections.push({ market: "btts", selection: "no", odds: odds.btts_no, probability: b.no });
    }
  }
  return selections;
}

/**
 * The matrix for display, as rows of 6-decimal cells: they halve the answer's size and its
 * serialisation time, while every market is computed at full precision.
 */
export function displayMatrix(m: ScoreMatrix, n: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      row[j] = Math.round(m[i * n + j] * SCORE_MATRIX_SCALE) / SCORE_MATRIX_SCALE;
    }
    rows.push(row);
  }
  return rows;
}
