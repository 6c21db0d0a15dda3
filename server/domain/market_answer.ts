/**
 * The parts of a prediction answer every engine builds the same way: the one forecast an answer
 * shows (the model alone, or with prices the fair forecast of `value_bets.ts`), its fair odds,
 * the best prices and the value bets judged on that same forecast, and the displayed matrix.
 * @module
 */
import type { BookmakerPrices } from "./bookmakers.ts";
import type { MatrixMarkets, ScoreMatrix } from "./markets.ts";
import type { Forecast, Prediction } from "./prediction.ts";
import type { Probs1x2 } from "./types.ts";
import {
  blendWithMarket,
  findValueBets,
  type MarketFair,
  marketFair,
  type MarketProbabilities,
  selectionQuotes,
  VALUE_MARKETS,
} from "./value_bets.ts";
import type { ValueMarket, ValuePolicy } from "./value_policy.ts";

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

/** The results-only model's probabilities; goals markets are asked for only when priced. */
export interface SelectionProbabilities {
  outcome: Probs1x2;
  overUnder25: () => { over: number; under: number };
  btts: () => { yes: number; no: number };
}

/** The probabilities of a model's matrix markets, as {@link marketForecast} takes them. */
export function matrixProbabilities(model: MatrixMarkets): SelectionProbabilities {
  const p = model.probabilities;
  return {
    outcome: [p.home_win, p.draw, p.away_win],
    overUnder25: () => model.markets.over_under_2_5,
    btts: () => model.markets.btts,
  };
}

/** The forecast an answer shows, market by market, before its matrix is fitted to it. */
export interface MarketForecast {
  /** Blended probabilities of every priced market (1X2 always when any book is given). */
  probabilities: MarketProbabilities;
  forecast: Forecast;
}

function modelOf(model: SelectionProbabilities, market: ValueMarket): number[] {
  if (market === "1x2") return [...model.outcome];
  if (market === "totals_2_5") {
    const t = model.overUnder25();
    return [t.over, t.under];
  }
  const b = model.btts();
  return [b.yes, b.no];
}

/**
 * The forecast of an answer: without books the model alone; with books, per priced market, the
 * market's fair probabilities blended with the results-only model at `policy.fair.model_weight`.
 */
export function marketForecast(
  model: SelectionProbabilities,
  books: readonly BookmakerPrices[],
  policy: ValuePolicy,
): MarketForecast {
  if (books.length === 0) {
    return {
      probabilities: {},
      forecast: { name: "model", model_weight: 1, margin_removal: null, markets: [] },
    };
  }
  const probabilities: MarketProbabilities = {};
  const markets: Forecast["markets"] = [];
  const weight = policy.fair.model_weight;
  for (const market of VALUE_MARKETS) {
    const fair: MarketFair | undefined = marketFair(books, market, policy);
    if (!fair) continue;
    probabilities[market] = blendWithMarket(modelOf(model, market), fair, weight);
    markets.push({
      market,
      source: fair.source,
      books: fair.books,
      market_probabilities: fair.probabilities,
    });
  }
  return {
    probabilities,
    forecast: {
      name: "fair",
      model_weight: weight,
      margin_removal: policy.fair.margin_removal,
      markets,
    },
  };
}

/**
 * `derived` (markets of the matrix fitted to the forecast) with the forecast's own numbers in
 * place of the fit's, so that every shown probability of a priced market is exactly the one its
 * value bets and fair odds use.
 */
export function showForecast(derived: MatrixMarkets, forecast: MarketProbabilities): MatrixMarkets {
  const x12 = forecast["1x2"];
  const ou = forecast.totals_2_5;
  const bt = forecast.btts;
  const over_under_2_5 = ou ? { over: ou[0], under: ou[1] } : derived.markets.over_under_2_5;
  return {
    ...derived,
    probabilities: x12
      ? { home_win: x12[0], draw: x12[1], away_win: x12[2] }
      : derived.probabilities,
    markets: {
      ...derived.markets,
      over_under_2_5,
      totals: derived.markets.totals.map((t) =>
        t.line === 2.5 ? { line: 2.5, ...over_under_2_5 } : t
      ),
      btts: bt ? { yes: bt[0], no: bt[1] } : derived.markets.btts,
    },
  };
}

/** The shown probabilities of the markets value bets are judged on. */
export function shownProbabilities(derived: MatrixMarkets): Required<MarketProbabilities> {
  const p = derived.probabilities;
  const m = derived.markets;
  return {
    "1x2": [p.home_win, p.draw, p.away_win],
    "totals_2_5": [m.over_under_2_5.over, m.over_under_2_5.under],
    "btts": [m.btts.yes, m.btts.no],
  };
}

/** Fair odds, best prices and value bets of an answer, all from its shown forecast. */
export function pricedAnswer(
  shown: MatrixMarkets,
  books: readonly BookmakerPrices[],
  policy: ValuePolicy,
  forecast: Forecast,
): Pick<Prediction, "fair_odds" | "best_prices" | "value_bets" | "value_policy"> {
  const quotes = selectionQuotes(books, shownProbabilities(shown));
  return {
    fair_odds: fairOdds(shown),
    best_prices: quotes,
    value_bets: findValueBets(quotes, policy, forecast.name),
    value_policy: {
      min_edge: policy.min_edge,
      close_edge: policy.close_edge,
      kelly_fraction: policy.kelly_fraction,
      kelly_cap: policy.kelly_cap,
      chosen: policy.chosen_on !== null,
    },
  };
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
