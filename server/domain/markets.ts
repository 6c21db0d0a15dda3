/**
 * Betting-market probabilities derived from a score matrix P(home = i, away = j) (row-major,
 * n = maxGoals + 1 columns): 1X2, totals, both teams to score, correct scores, Asian handicap.
 * Every function renormalises the matrix mass to 1 first (the tail beyond maxGoals is dropped).
 * @module
 */
import type { AsianHandicapLine, CorrectScore, Prediction, TotalsLine } from "./prediction.ts";
import type { Probs1x2 } from "./types.ts";

/**
 * A score matrix P(home = i, away = j), row-major: a `Float64Array` from a graph, or a plain
 * array from a fit (`fitMatrixTo`, `rescaleTo1x2`). Fits return plain arrays because every typed
 * array is allocated outside V8's heap, which costs ~1 µs each in Deno, on every prediction.
 */
export type ScoreMatrix = ArrayLike<number>;

/** Default total-goals lines. */
export const DEFAULT_TOTALS_LINES: readonly number[] = [0.5, 1.5, 2.5, 3.5, 4.5];
/** Default home-side Asian handicap lines. */
export const DEFAULT_HANDICAP_LINES: readonly number[] = [
  -2.5,
  -2,
  -1.5,
  -1,
  -0.5,
  0,
  0.5,
  1,
  1.5,
];

/** Checks the shape and values of a score matrix; returns its total mass. */
function massOf(m: ScoreMatrix, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Invalid score matrix size "${n}"`);
  if (m.length !== n * n) {
    throw new RangeError(`Score matrix has ${m.length} cells, expected ${n} x ${n}`);
  }
  let total = 0;
  for (let k = 0; k < m.length; k++) {
    const v = m[k];
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(`Score matrix cell ${k} is "${v}": must be finite and >= 0`);
    }
    total += v;
  }
  if (!(total > 0)) throw new RangeError("Score matrix has no probability mass");
  return total;
}

/** The matrix scaled to total mass 1 (a new array). */
export function normaliseMatrix(m: Float64Array, n: number): Float64Array {
  const total = massOf(m, n);
  return m.map((v) => v / total);
}

/** Home win, draw, away win: sums below, on and above the diagonal. */
export function outcome1x2(m: ScoreMatrix, n: number): Probs1x2 {
  const total = massOf(m, n);
  let home = 0, draw = 0, away = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = m[i * n + j];
      if (i > j) home += v;
      else if (i === j) draw += v;
      else away += v;
    }
  }
  return [home / total, draw / total, away / total];
}

/** Reused by {@link sumAndDiff}: its callers read the two arrays before they return. */
let scratch = { n: 0, bySum: new Float64Array(0), byDiff: new Float64Array(0) };

/**
 * Probability of each total-goals count (index i + j, length 2n - 1) and of each goal difference
 * (index i - j + n - 1, length 2n - 1), in one pass over the matrix, divided by `total`. The two
 * arrays are shared scratch space, overwritten by the next call: callers must not keep them
 * (arrays this size live outside V8's heap, and allocating them costs more than the pass).
 */
function sumAndDiff(m: ScoreMatrix, n: number, total: number) {
  if (scratch.n !== n) {
    scratch = { n, bySum: new Float64Array(2 * n - 1), byDiff: new Float64Array(2 * n - 1) };
  }
  const { bySum, byDiff } = scratch;
  bySum.fill(0);
  byDiff.fill(0);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const v = m[row + j];
      bySum[i + j] += v;
      byDiff[i - j + n - 1] += v;
    }
  }
  for (let k = 0; k < bySum.length; k++) {
    bySum[k] /= total;
    byDiff[k] /= total;
  }
  return scratch;
}

function totalsOf(bySum: Float64Array, lines: readonly number[]): TotalsLine[] {
  return lines.map((line) => {
    if (!Number.isFinite(line) || line < 0 || !Number.isInteger(line - 0.5)) {
      throw new RangeError(`Invalid totals line "${line}": must be a half-goal line like 2.5`);
    }
    let under = 0;
    for (let goals = 0; goals < bySum.length && goals < line; goals++) under += bySum[goals];
    return { line, over: 1 - under, under };
  });
}

function handicapOf(byDiff: Float64Array, n: number, lines: readonly number[]) {
  return lines.map((line): AsianHandicapLine => {
    if (!Number.isFinite(line) || !Number.isInteger(line * 2)) {
      throw new RangeError(`Invalid handicap line "${line}": must be a whole or half goal`);
    }
    let homeWin = 0, push = 0, awayWin = 0;
    for (let k = 0; k < byDiff.length; k++) {
      const margin = k - (n - 1) + line;
      if (margin > 0) homeWin += byDiff[k];
      else if (margin === 0) push += byDiff[k];
      else awayWin += byDiff[k];
    }
    return { line, home_win: homeWin, push, away_win: awayWin };
  });
}

/** Over/under probabilities of total goals for each half-goal line (e.g. 2.5). */
export function totals(
  m: ScoreMatrix,
  n: number,
  lines: readonly number[] = DEFAULT_TOTALS_LINES,
): TotalsLine[] {
  return totalsOf(sumAndDiff(m, n, massOf(m, n)).bySum, lines);
}

/** Both teams to score: yes = P(home >= 1 and away >= 1). */
export function btts(m: ScoreMatrix, n: number): { yes: number; no: number } {
  const total = massOf(m, n);
  let yes = 0;
  for (let i = 1; i < n; i++) for (let j = 1; j < n; j++) yes += m[i * n + j];
  yes /= total;
  return { yes, no: 1 - yes };
}

/** The `top` most likely exact scores ("home-away"), most likely first. */
export function correctScores(m: ScoreMatrix, n: number, top = 10): CorrectScore[] {
  return topScores(m, n, massOf(m, n), top);
}

function topScores(m: ScoreMatrix, n: number, total: number, top: number): CorrectScore[] {
  const k = Math.max(0, Math.min(top, n * n));
  if (k === 0) return [];
  // Partial selection of the k largest cells (k is small): no per-cell objects or strings on
  // the request path, which keeps the prediction's tail latency down.
  const best: number[] = [];
  for (let c = 0; c < n * n; c++) {
    if (best.length === k && m[c] <= m[best[k - 1]]) continue;
    let at = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(c);
    while (at > 0 && m[best[at - 1]] < m[c]) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = c;
  }
  const labels = scoreLabels(n);
  return best.map((c) => ({ score: labels[c], probability: m[c] / total }));
}

const SCORE_LABELS = new Map<number, string[]>();

/** "home-away" of every cell of an n x n matrix, made once per size. */
function scoreLabels(n: number): string[] {
  let labels = SCORE_LABELS.get(n);
  if (!labels) {
    labels = Array.from({ length: n * n }, (_, c) => `${Math.floor(c / n)}-${c % n}`);
    if (SCORE_LABELS.size < 64) SCORE_LABELS.set(n, labels);
  }
  return labels;
}

/**
 * Asian handicap from the home side's perspective: the home bet wins when home goals + line -
 * away goals > 0, is refunded (push) when it is 0 (whole lines only), and loses otherwise.
 * Quarter lines (e.g. -0.25) are split bets and are rejected here.
 */
export function asianHandicap(
  m: ScoreMatrix,
  n: number,
  lines: readonly number[] = DEFAULT_HANDICAP_LINES,
): AsianHandicapLine[] {
  return handicapOf(sumAndDiff(m, n, massOf(m, n)).byDiff, n, lines);
}

/** Mean home and away goals of the (renormalised) matrix. */
export function expectedGoalsFromMatrix(
  m: ScoreMatrix,
  n: number,
): { home: number; away: number } {
  const total = massOf(m, n);
  let home = 0, away = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = m[i * n + j];
      home += i * v;
      away += j * v;
    }
  }
  return { home: home / total, away: away / total };
}

/**
 * Rescales the home-win, draw and away-win cell groups so the matrix's 1X2 equals `target`
 * (normalised to sum 1) while keeping the score structure within each group. Keeps goals
 * markets coherent with a classifier's 1X2. Throws when a group with target mass is empty.
 */
export function rescaleTo1x2(m: ScoreMatrix, n: number, target: Probs1x2): number[] {
  const current = outcome1x2(m, n);
  const total = massOf(m, n);
  if (target.length !== 3 || target.some((p) => !(p >= 0) || !Number.isFinite(p))) {
    throw new RangeError(`Invalid 1X2 target "${target.join(",")}"`);
  }
  const sum = target[0] + target[1] + target[2];
  if (!(sum > 0)) throw new RangeError("1X2 target has no probability mass");
  const factors = current.map((p, k) => {
    const want = target[k] / sum;
    if (p === 0) {
      if (want > 0) throw new RangeError(`Cannot rescale: outcome ${k} has no mass in the matrix`);
      return 0;
    }
    return want / (p * total);
  });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      out.push(m[i * n + j] * factors[i > j ? 0 : i === j ? 1 : 2]);
    }
  }
  return out;
}

const GROUPS = new Map<number, Uint8Array>();

/** Cell -> (outcome x over/under 2.5) group: 2 * (0 home, 1 draw, 2 away) + (1 if over). */
function groupsOf(n: number): Uint8Array {
  let g = GROUPS.get(n);
  if (!g) {
    g = new Uint8Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        g[i * n + j] = (i > j ? 0 : i === j ? 1 : 2) * 2 + (i + j > 2 ? 1 : 0);
      }
    }
    if (GROUPS.size < 64) GROUPS.set(n, g);
  }
  return g;
}

/**
 * Iterative proportional fitting (Deming & Stephan 1940): rescales the matrix so its 1X2 equals
 * `target` and, when given, its P(total goals > 2.5) equals `over25`, keeping the score structure
 * inside each of the six (outcome x over/under) cell groups. Converges in a few sweeps because
 * the two margins are nearly independent. Throws on targets outside (0, 1).
 */
export function fitMatrixTo(
  m: ScoreMatrix,
  n: number,
  target: Probs1x2,
  over25?: number,
): number[] {
  if (over25 === undefined) return rescaleTo1x2(m, n, target);
  if (m.length !== n * n) {
    throw new RangeError(`Score matrix has ${m.length} cells, expected ${n} x ${n}`);
  }
  if (!(over25 > 0 && over25 < 1)) throw new RangeError(`Invalid over 2.5 target "${over25}"`);
  const sum = target[0] + target[1] + target[2];
  if (!(sum > 0) || !(target[0] >= 0 && target[1] >= 0 && target[2] >= 0)) {
    throw new RangeError(`Invalid 1X2 target "${target.join(",")}"`);
  }
  // The scaling factors are uniform within each (outcome, over/under) group, so IPF runs on
  // the 3 x 2 table of group masses and the matrix is scaled once at the end.
  const group = groupsOf(n);
  // Plain arrays: these tables are tiny, and typed-array from/map cost more than the maths.
  const mass = [0, 0, 0, 0, 0, 0];
  for (let c = 0; c < m.length; c++) mass[group[c]] += m[c];
  const cell = mass.slice();
  const rowTarget = [target[0] / sum, target[1] / sum, target[2] / sum];
  const colTarget = [1 - over25, over25];
  for (let sweep = 0; sweep < 200; sweep++) {
    let worst = 0;
    for (let r = 0; r < 3; r++) {
      const have = cell[2 * r] + cell[2 * r + 1];
      if (have > 0) {
        const f = rowTarget[r] / have;
        cell[2 * r] *= f;
        cell[2 * r + 1] *= f;
      } else if (rowTarget[r] > 0) {
        throw new RangeError(`Cannot rescale: outcome ${r} has no mass in the matrix`);
      }
    }
    for (let c = 0; c < 2; c++) {
      const have = cell[c] + cell[2 + c] + cell[4 + c];
      if (have > 0) {
        worst = Math.max(worst, Math.abs(have - colTarget[c]));
        const f = colTarget[c] / have;
        cell[c] *= f;
        cell[2 + c] *= f;
        cell[4 + c] *= f;
      }
    }
    if (worst < 1e-13) break;
  }
  const factor = [0, 0, 0, 0, 0, 0];
  for (let g = 0; g < 6; g++) factor[g] = mass[g] > 0 ? cell[g] / mass[g] : 0;
  const out: number[] = [];
  for (let c = 0; c < m.length; c++) out.push(m[c] * factor[group[c]]);
  return out;
}

/** Everything a prediction derives from a score matrix. */
export interface MatrixMarkets {
  probabilities: Prediction["probabilities"];
  expected_goals: Prediction["expected_goals"];
  markets: Prediction["markets"];
}

/** Options of {@link marketsFromMatrix}. */
export interface MarketsOptions {
  /** @default {DEFAULT_TOTALS_LINES} */
  totalsLines?: readonly number[];
  /** @default {DEFAULT_HANDICAP_LINES} */
  handicapLines?: readonly number[];
  /** Number of correct scores listed. @default {10} */
  correctScores?: number;
}

/**
 * 1X2, expected goals and every market of `Prediction["markets"]` from one score matrix. The
 * matrix is checked and summed once, and one pass fills the goal-sum and goal-difference
 * distributions every market derives from (this runs on every uncached prediction).
 */
export function marketsFromMatrix(
  m: ScoreMatrix,
  n: number,
  options: MarketsOptions = {},
): MatrixMarkets {
  const {
    totalsLines = DEFAULT_TOTALS_LINES,
    handicapLines = DEFAULT_HANDICAP_LINES,
    correctScores: top = 10,
  } = options;
  const total = massOf(m, n);
  const { bySum, byDiff } = sumAndDiff(m, n, total);
  let home = 0, draw = 0, away = 0, yes = 0, homeGoals = 0, awayGoals = 0;
  for (let k = 0; k < byDiff.length; k++) {
    const d = k - (n - 1);
    if (d > 0) home += byDiff[k];
    else if (d === 0) draw += byDiff[k];
    else away += byDiff[k];
  }
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const v = m[row + j];
      if (i > 0 && j > 0) yes += v;
      homeGoals += i * v;
      awayGoals += j * v;
    }
  }
  yes /= total;
  const [ou25] = totalsOf(bySum, [2.5]);
  return {
    probabilities: { home_win: home, draw, away_win: away },
    expected_goals: { home: homeGoals / total, away: awayGoals / total },
    markets: {
      over_under_2_5: { over: ou25.over, under: ou25.under },
      totals: totalsOf(bySum, totalsLines),
      btts: { yes, no: 1 - yes },
      correct_scores: topScores(m, n, total, top),
      asian_handicap: handicapOf(byDiff, n, handicapLines),
    },
  };
}
