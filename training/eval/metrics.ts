/**
 * Scores of 1X2 probability forecasts: ranked probability score, log loss, Brier score,
 * accuracy, their running means, and calibration bins for reliability diagrams.
 * @module
 */
import type { Outcome, Probs1x2 } from "../../server/domain/types.ts";

/** Smallest probability a log loss takes the log of, so a confident miss costs ~34.5, not Infinity. */
const LOG_FLOOR = 1e-15;

function check(probs: readonly number[], outcome: number): void {
  if (probs.length !== 3 || !probs.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)) {
    throw new RangeError(`Expected three probabilities in [0, 1], got "${probs.join(", ")}"`);
  }
  if (outcome !== 0 && outcome !== 1 && outcome !== 2) {
    throw new RangeError(`Outcome must be 0, 1 or 2, got "${outcome}"`);
  }
}

/**
 * Ranked probability score (Epstein 1969; for football, Constantinou & Fenton 2012):
 * the mean over the first r-1 ordered categories of the squared gap between cumulative forecast
 * and cumulative outcome. 0 is perfect; lower is better.
 */
export function rps(probs: Probs1x2, outcome: Outcome): number {
  check(probs, outcome);
  const c1 = probs[0] - (outcome === 0 ? 1 : 0);
  const c2 = probs[0] + probs[1] - (outcome <= 1 ? 1 : 0);
  return (c1 * c1 + c2 * c2) / 2;
}

/** Negative natural log of the probability given to the outcome (floored at 1e-15). */
export function logLoss(probs: Probs1x2, outcome: Outcome): number {
  check(probs, outcome);
  return -Math.log(Math.max(probs[outcome], LOG_FLOOR));
}

/** Multiclass Brier (1950) score: sum over the three outcomes of (p - hit)^2, in [0, 2]. */
export function brier(probs: Probs1x2, outcome: Outcome): number {
  check(probs, outcome);
  let s = 0;
  for (let i = 0; i < 3; i++) s += (probs[i] - (i === outcome ? 1 : 0)) ** 2;
  return s;
}

/** 1 when the most probable outcome (the first one on ties) happened, else 0. */
export function accuracy(probs: Probs1x2, outcome: Outcome): number {
  check(probs, outcome);
  let best = 0;
  for (let i = 1; i < 3; i++) if (probs[i] > probs[best]) best = i;
  return best === outcome ? 1 : 0;
}

/** Log loss of one binary forecast (over/under, BTTS...), floored like `logLoss`. */
export function binaryLogLoss(p: number, happened: boolean): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Probability must be in [0, 1], got "${p}"`);
  return -Math.log(Math.max(happened ? p : 1 - p, LOG_FLOOR));
}

/** Mean scores of a set of forecasts. */
export interface Scores {
  count: number;
  rps: number;
  logLoss: number;
  brier: number;
  accuracy: number;
}

/** Collects per-match scores of 1X2 forecasts and reports their means. */
export class ScoreBoard {
  #rps: number[] = [];
  #logLoss: number[] = [];
  #brier: number[] = [];
  #accuracy: number[] = [];

  /** Scores one forecast against what happened. */
  add(probs: Probs1x2, outcome: Outcome): void {
    this.#rps.push(rps(probs, outcome));
    this.#logLoss.push(logLoss(probs, outcome));
    this.#brier.push(brier(probs, outcome));
    this.#accuracy.push(accuracy(probs, outcome));
  }

  /** Number of forecasts scored. */
  get count(): number {
    return this.#rps.length;
  }

  /** Per-match scores in the order added (for paired comparisons and bootstraps). */
  perMatch(): { rps: number[]; logLoss: number[]; brier: number[]; accuracy: number[] } {
    return {
      rps: [...this.#rps],
      logLoss: [...this.#logLoss],
      brier: [...this.#brier],
      accuracy: [...this.#accuracy],
    };
  }

  /** Mean of every score; NaN for all of them when nothing was added. */
  means(): Scores {
    return {
      count: this.count,
      rps: mean(this.#rps),
      logLoss: mean(this.#logLoss),
      brier: mean(this.#brier),
      accuracy: mean(this.#accuracy),
    };
  }
}

function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** One bin of a reliability diagram. */
export interface CalibrationBin {
  bin_lower: number;
  bin_upper: number;
  /** Mean forecast probability of the predictions in the bin. */
  mean_predicted: number;
  /** Share of them that happened. */
  observed: number;
  count: number;
}

/**
 * Groups binary predictions into `bins` equal-width probability bins ([0, 0.1), ..., [0.9, 1])
 * and returns the non-empty ones in order, for a reliability diagram.
 */
export function calibrationBins(
  predictions: readonly { p: number; hit: boolean }[],
  bins = 10,
): CalibrationBin[] {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`Bin count must be a positive integer, got "${bins}"`);
  }
  const sumP = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const counts = new Float64Array(bins);
  for (const { p, hit } of predictions) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Probability must be in [0, 1], got "${p}"`);
    const i = Math.min(bins - 1, Math.floor(p * bins));
    sumP[i] += p;
    hits[i] += hit ? 1 : 0;
    counts[i]++;
  }
  const out: CalibrationBin[] = [];
  for (let i = 0; i < bins; i++) {
    if (counts[i] === 0) continue;
    out.push({
      bin_lower: i / bins,
      bin_upper: (i + 1) / bins,
      mean_predicted: sumP[i] / counts[i],
      observed: hits[i] / counts[i],
      count: counts[i],
    });
  }
  return out;
}
