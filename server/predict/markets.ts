/**
 * Turns a score matrix into the markets, fair odds and value bets of a {@link Prediction}.
 * @module
 */
import type {
  AsianHandicapLine,
  CorrectScore,
  Prediction,
  RequestOdds,
  TotalsLine,
  ValueBet,
} from "../domain/prediction.ts";

/** Options of {@link marketsFromMatrix}. */
export interface MarketOptions {
  /** Smallest edge (probability x odds - 1) reported as a value bet. @default 0.02 */
  minEdge?: number;
  /** Fraction of the full Kelly stake suggested. @default 0.25 */
  kellyMultiplier?: number;
  /** Largest stake suggested, as a fraction of bankroll. @default 0.05 */
  maxStake?: number;
  /** Exact scores listed. @default 10 */
  topScores?: number;
}

const TOTAL_LINES = [0.5, 1.5, 2.5, 3.5, 4.5];
const HANDICAP_LINES = [-2.5, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2.5];

function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Markets of a square, row-major score matrix (rows = home goals). The matrix is renormalised
 * so the probabilities of each market sum to 1.
 */
export function marketsFromMatrix(
  matrix: Float64Array,
  odds: RequestOdds | undefined,
  options: MarketOptions = {},
): Pick<Prediction, "probabilities" | "markets" | "fair_odds" | "value_bets" | "score_matrix"> {
  const n = Math.round(Math.sqrt(matrix.length));
  const topN = options.topScores ?? 10;
  let mass = 0;
  for (let k = 0; k < matrix.length; k++) mass += matrix[k];
  // One pass fills the goal-sum and goal-difference distributions; every market derives from
  // them, which keeps this cheap (it runs on every uncached prediction).
  const sum = new Float64Array(2 * n - 1);
  const diff = new Float64Array(2 * n - 1); // index d + n - 1 for home - away = d
  let btts = 0;
  const rows: number[][] = [];
  const topP: number[] = [], topScore: string[] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      const p = matrix[i * n + j] / mass;
      row.push(round(p));
      sum[i + j] += p;
      diff[i - j + n - 1] += p;
      if (i > 0 && j > 0) btts += p;
      if (topP.length < topN || p > topP[topP.length - 1]) {
        let k = topP.length < topN ? topP.length : topN - 1;
        while (k > 0 && topP[k - 1] < p) {
          topP[k] = topP[k - 1];
          topScore[k] = topScore[k - 1];
          k--;
        }
        topP[k] = p;
        topScore[k] = `${i}-${j}`;
      }
    }
    rows.push(row);
  }
  let home = 0, draw = 0, away = 0;
  for (let d = -(n - 1); d <= n - 1; d++) {
    const p = diff[d + n - 1];
    if (d > 0) home += p;
    else if (d === 0) draw += p;
    else away += p;
  }
  const overOf = (line: number) => {
    let over = 0;
    for (let t = Math.floor(line) + 1; t < sum.length; t++) over += sum[t];
    return over;
  };
  const handicapOf = (line: number): AsianHandicapLine => {
    let win = 0, push = 0, lose = 0;
    for (let d = -(n - 1); d <= n - 1; d++) {
      const p = diff[d + n - 1], v = d + line;
      if (v > 0) win += p;
      else if (v === 0) push += p;
      else lose += p;
    }
    return { line, home_win: round(win), push: round(push), away_win: round(lose) };
  };
  const over25 = overOf(2.5);
  const correct: CorrectScore[] = [];
  for (let k = 0; k < topP.length; k++) {
    correct.push({ score: topScore[k], probability: round(topP[k]) });
  }
  const probs: Record<string, number> = {
    home,
    draw,
    away,
    over_2_5: over25,
    under_2_5: 1 - over25,
    btts_yes: btts,
    btts_no: 1 - btts,
  };
  return {
    probabilities: { home_win: round(home), draw: round(draw), away_win: round(away) },
    markets: {
      over_under_2_5: { over: round(over25), under: round(1 - over25) },
      totals: TOTAL_LINES.map((line): TotalsLine => {
        const over = overOf(line);
        return { line, over: round(over), under: round(1 - over) };
      }),
      btts: { yes: round(btts), no: round(1 - btts) },
      correct_scores: correct,
      asian_handicap: HANDICAP_LINES.map(handicapOf),
    },
    fair_odds: {
      home: fair(home),
      draw: fair(draw),
      away: fair(away),
      over_2_5: fair(probs.over_2_5),
      under_2_5: fair(probs.under_2_5),
      btts_yes: fair(probs.btts_yes),
      btts_no: fair(probs.btts_no),
    },
    value_bets: odds ? valueBets(probs, odds, options) : [],
    score_matrix: rows,
  };
}

function fair(p: number): number {
  return p > 0 ? round(1 / p, 4) : 1e6;
}

const SELECTIONS: [keyof RequestOdds, string, string][] = [
  ["home", "1x2", "home"],
  ["draw", "1x2", "draw"],
  ["away", "1x2", "away"],
  ["over_2_5", "totals_2_5", "over"],
  ["under_2_5", "totals_2_5", "under"],
  ["btts_yes", "btts", "yes"],
  ["btts_no", "btts", "no"],
];

/** Fractional Kelly (Kelly 1956) value bets for the offered odds, best edge first. */
function valueBets(
  probs: Record<string, number>,
  odds: RequestOdds,
  options: MarketOptions,
): ValueBet[] {
  const minEdge = options.minEdge ?? 0.02;
  const mult = options.kellyMultiplier ?? 0.25;
  const cap = options.maxStake ?? 0.05;
  const out: ValueBet[] = [];
  for (const [field, market, selection] of SELECTIONS) {
    const o = odds[field];
    if (o === undefined || !(o > 1)) continue;
    const p = probs[field];
    const edge = p * o - 1;
    if (edge <= minEdge) continue;
    const kelly = Math.min(cap, (edge / (o - 1)) * mult);
    out.push({
      market,
      selection,
      odds: o,
      probability: round(p),
      edge: round(edge),
      kelly_fraction: round(kelly),
    });
  }
  return out.sort((a, b) => b.edge - a.edge);
}
