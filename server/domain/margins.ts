/**
 * Bookmaker margin removal: turns the decimal odds of one market (all outcomes) into fair
 * probabilities that sum to 1. Methods compared in Štrumbelj (2014), "On determining probability
 * forecasts from betting odds", and Clarke, Kovalchik & Ingram (2017).
 * @module
 */

/** A margin-removal method. */
export type MarginMethod = "normalise" | "shin" | "power" | "oddsRatio";

const TOLERANCE = 1e-12;
const MAX_STEPS = 200;

function implied(odds: readonly number[]): number[] {
  if (odds.length < 2 || !odds.every((o) => typeof o === "number" && Number.isFinite(o) && o > 1)) {
    throw new RangeError(
      `Cannot remove margin: odds must be at least two numbers greater than 1, got "${
        odds.join(", ")
      }"`,
    );
  }
  return odds.map((o) => 1 / o);
}

/** Bisection for a root of a decreasing function on [lo, hi]. */
function bisect(f: (x: number) => number, lo: number, hi: number): number {
  for (let i = 0; i < MAX_STEPS && hi - lo > TOLERANCE; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Basic normalisation: p_i = (1/o_i) / sum_j (1/o_j). */
export function normalise(odds: readonly number[]): number[] {
  const pi = implied(odds);
  const booksum = pi.reduce((a, b) => a + b, 0);
  return pi.map((p) => p / booksum);
}

/**
 * Shin (1993) margin removal, solved as in Štrumbelj (2014): with implied probabilities pi_i
 * summing to B, p_i = (sqrt(z^2 + 4 (1 - z) pi_i^2 / B) - z) / (2 (1 - z)), where the insider
 * share z in [0, 1) makes the p_i sum to 1. A book without margin (B <= 1) is normalised.
 */
export function shin(odds: readonly number[]): number[] {
  const pi = implied(odds);
  const booksum = pi.reduce((a, b) => a + b, 0);
  if (booksum <= 1) return pi.map((p) => p / booksum);
  const probs = (z: number) =>
    pi.map((p) => (Math.sqrt(z * z + 4 * (1 - z) * p * p / booksum) - z) / (2 * (1 - z)));
  // The sum is sqrt(B) > 1 at z = 0 and tends to sum(pi^2)/B < 1 as z -> 1.
  const z = bisect((x) => probs(x).reduce((a, b) => a + b, 0) - 1, 0, 1 - 1e-9);
  return sumToOne(probs(z));
}

/**
 * The power method (Clarke et al. 2017): p_i = pi_i^k with k chosen so that sum_i pi_i^k = 1.
 * Long shots lose more of their price than favourites.
 */
export function power(odds: readonly number[]): number[] {
  const pi = implied(odds);
  const total = (k: number) => pi.reduce((a, p) => a + p ** k, 0) - 1;
  let lo = 1;
  let hi = 1;
  // total() decreases in k because every pi_i < 1; widen until the root is bracketed.
  while (total(hi) > 0) hi *= 2;
  while (total(lo) < 0) lo /= 2;
  const k = bisect(total, lo, hi);
  return sumToOne(pi.map((p) => p ** k));
}

/**
 * The odds-ratio method (Cheung 2015): the fair odds ratio p/(1-p) of every outcome is its
 * implied odds ratio pi/(1-pi) divided by one constant c, p_i = pi_i / (c + pi_i - c pi_i),
 * with c chosen so that the p_i sum to 1.
 */
export function oddsRatio(odds: readonly number[]): number[] {
  const pi = implied(odds);
  const probs = (c: number) => pi.map((p) => p / (c + p - c * p));
  const total = (c: number) => probs(c).reduce((a, b) => a + b, 0) - 1;
  let lo = 1;
  let hi = 1;
  while (total(hi) > 0) hi *= 2;
  while (total(lo) < 0) lo /= 2;
  return sumToOne(probs(bisect(total, lo, hi)));
}

/** Fair probabilities of a market's odds by the chosen method (default: normalisation). */
export function fairProbabilities(
  odds: readonly number[],
  method: MarginMethod = "normalise",
): number[] {
  switch (method) {
    case "normalise":
      return normalise(odds);
    case "shin":
      return shin(odds);
    case "power":
      return power(odds);
    case "oddsRatio":
      return oddsRatio(odds);
    default:
      throw new RangeError(`Unknown margin method "${method as string}"`);
  }
}

/** Removes the last ~1e-12 of rounding left by the solvers. */
function sumToOne(p: number[]): number[] {
  const s = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / s);
}
