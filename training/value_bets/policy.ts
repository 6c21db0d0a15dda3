/**
 * Value-bet policies (edge threshold x odds range x markets x minimum books), their figures with
 * bootstrap intervals, and the walk-forward chooser.
 * @module
 */
import { kellyStake } from "../../server/domain/staking.ts";
import { bootstrapMeans, type BootstrapOptions, type Interval } from "./bootstrap.ts";
import type { Candidate, Market } from "./candidates.ts";

/** Which candidates a policy bets. */
export interface Policy {
  /** Smallest edge bet (fair opening probability x best price - 1). */
  min_edge: number;
  /** Price range bet: `min_odds <= price < max_odds`. */
  min_odds: number;
  max_odds: number;
  markets: Market[];
  /** Fewest books quoting the market. */
  min_books: number;
}

/** What a policy's picks did. Intervals are cluster-bootstrap percentile intervals. */
export interface PolicyFigures {
  picks: number;
  /** Distinct match-days the picks fall on (the bootstrap's clusters). */
  days: number;
  mean_edge: number;
  hit_rate: number;
  hit_rate_ci95: Interval;
  /** Profit per unit staked, level stakes. */
  roi: number;
  roi_ci95: Interval;
  mean_clv: number;
  mean_clv_ci95: Interval;
  /** Profit per unit staked with fractional Kelly stakes on the fair opening probability. */
  kelly_roi: number;
}

/** Kelly settings of the policy file. */
export interface KellySettings {
  fraction: number;
  cap: number;
}

/** Whether a policy bets a candidate. */
export function bets(policy: Policy, c: Candidate): boolean {
  return c.edge >= policy.min_edge && c.price >= policy.min_odds && c.price < policy.max_odds &&
    c.books >= policy.min_books && policy.markets.includes(c.market);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Level-stake profit of one pick. */
export function profit(c: Candidate): number {
  return c.won ? c.price - 1 : -1;
}

/** Figures of a set of picks; the bootstrap resamples their match-days. */
export function policyFigures(
  picks: readonly Candidate[],
  options: BootstrapOptions & { kelly?: KellySettings } = {},
): PolicyFigures {
  const hits = picks.map((c) => c.won ? 1 : 0);
  const profits = picks.map(profit);
  const clv = picks.map((c) => c.clv);
  const days = picks.map((c) => c.day);
  const [hitCi, roiCi, clvCi] = bootstrapMeans([hits, profits, clv], days, options);
  let staked = 0, won = 0;
  for (const c of picks) {
    const stake = kellyStake(c.fair, c.price, options.kelly);
    staked += stake;
    won += stake * profit(c);
  }
  return {
    picks: picks.length,
    days: new Set(days).size,
    mean_edge: mean(picks.map((c) => c.edge)),
    hit_rate: mean(hits),
    hit_rate_ci95: hitCi,
    roi: mean(profits),
    roi_ci95: roiCi,
    mean_clv: mean(clv),
    mean_clv_ci95: clvCi,
    kelly_roi: staked > 0 ? won / staked : NaN,
  };
}

/** The grid the chooser searches. */
export interface PolicyGrid {
  minEdges: readonly number[];
  oddsRanges: readonly (readonly [number, number])[];
  markets: readonly Market[][];
  minBooks: readonly number[];
}

/**
 * The default grid: 12 edge thresholds x 6 price ranges x 2 market sets x 5 book counts. Book
 * counts stop at 6 because the later files follow six books (earlier ones up to eleven).
 */
export const DEFAULT_GRID: PolicyGrid = {
  minEdges: [0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1],
  oddsRanges: [[1.01, 1000], [1.01, 3], [1.01, 5], [1.5, 5], [1.5, 8], [2, 10]],
  markets: [["1x2"], ["1x2", "totals_2_5"]],
  minBooks: [1, 2, 3, 4, 6],
};

/** Every policy of a grid. */
export function gridPolicies(grid: PolicyGrid = DEFAULT_GRID): Policy[] {
  const out: Policy[] = [];
  for (const min_edge of grid.minEdges) {
    for (const [min_odds, max_odds] of grid.oddsRanges) {
      for (const markets of grid.markets) {
        for (const min_books of grid.minBooks) {
          out.push({ min_edge, min_odds, max_odds, markets: [...markets], min_books });
        }
      }
    }
  }
  return out;
}

/**
 * How the chooser ranks policies on the choice seasons, both from mean CLV and its
 * match-day-clustered standard error: `z` = mean / se (the strongest evidence of beating the
 * closing line, which rewards volume as well as size), `lower_bound` = mean - 1.96 se (the
 * surest mean, which favours few large edges).
 */
export type ChooseCriterion = "z" | "lower_bound";

/** Options of {@link choosePolicy}. */
export interface ChooseOptions {
  /** @default {"z"} */
  criterion?: ChooseCriterion;
  grid?: PolicyGrid;
  /** Fewest picks a chosen policy must have made. @default {500} */
  minPicks?: number;
  /** Seasons the chooser must never see; a candidate from one of them throws. */
  forbiddenSeasons?: ReadonlySet<string>;
  onProgress?: (done: number, total: number) => void;
}

/** A policy with its figures on the choice seasons. */
export interface RankedPolicy {
  policy: Policy;
  picks: number;
  mean_clv: number;
  /** Mean CLV - 1.96 cluster-robust standard errors (match-day clusters). */
  clv_lower: number;
  /** Mean CLV / its cluster-robust standard error. */
  clv_z: number;
}

/**
 * Mean and cluster-robust standard error of per-pick values grouped by `clusters` (the
 * sandwich estimator of a ratio mean with the G / (G - 1) small-sample factor).
 */
export function clusteredMean(
  values: readonly number[],
  clusters: readonly string[],
): { mean: number; se: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, se: NaN };
  const sums = new Map<string, { s: number; n: number }>();
  let total = 0;
  values.forEach((v, i) => {
    total += v;
    const g = sums.get(clusters[i]);
    if (g) {
      g.s += v;
      g.n++;
    } else sums.set(clusters[i], { s: v, n: 1 });
  });
  const m = total / n;
  const groups = sums.size;
  if (groups < 2) return { mean: m, se: NaN };
  let v = 0;
  for (const g of sums.values()) v += (g.s - m * g.n) ** 2;
  return { mean: m, se: Math.sqrt(v * groups / (groups - 1)) / n };
}

/**
 * Chooses the policy whose picks beat the closing line most surely on the given (earlier)
 * candidates, among those with at least `minPicks` picks, by `criterion`. Standard errors are
 * the normal, match-day-clustered ones, fast enough for the whole grid; the chosen policy's
 * reported intervals are bootstrapped. Ties go to more picks. Returns the ranking too, best
 * first. Throws when a candidate comes from a forbidden season.
 */
export function choosePolicy(
  candidates: readonly Candidate[],
  options: ChooseOptions = {},
): { chosen: RankedPolicy; ranking: RankedPolicy[] } {
  const { grid = DEFAULT_GRID, minPicks = 500, forbiddenSeasons, onProgress, criterion = "z" } =
    options;
  if (forbiddenSeasons) {
    const leak = candidates.find((c) => forbiddenSeasons.has(c.season));
    if (leak) {
      throw new Error(`Cannot choose a policy: season "${leak.season}" is kept for evaluation`);
    }
  }
  const policies = gridPolicies(grid);
  const ranking: RankedPolicy[] = [];
  policies.forEach((policy, i) => {
    const picks = candidates.filter((c) => bets(policy, c));
    if (picks.length >= minPicks) {
      const { mean, se } = clusteredMean(picks.map((c) => c.clv), picks.map((c) => c.day));
      ranking.push({
        policy,
        picks: picks.length,
        mean_clv: mean,
        clv_lower: mean - 1.96 * se,
        clv_z: mean / se,
      });
    }
    onProgress?.(i + 1, policies.length);
  });
  if (ranking.length === 0) {
    throw new Error(
      `Cannot choose a policy: no policy of the grid made ${minPicks} picks on the choice seasons`,
    );
  }
  const key = (r: RankedPolicy) => criterion === "z" ? r.clv_z : r.clv_lower;
  ranking.sort((a, b) => key(b) - key(a) || b.picks - a.picks);
  return { chosen: ranking[0], ranking };
}
