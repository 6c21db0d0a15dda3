/**
 * The value-bet policy: how the fair price is made, which value bets are served, how they are
 * staked, and the closing line value the backtest measured per edge bucket. The served file is
 * `models/value_policy.json` (validated at start-up by `server/predict/value_policy.ts`).
 * @module
 */

/** Markets a value bet can be on. */
export type ValueMarket = "1x2" | "totals_2_5" | "btts";

/** Margin removal methods a policy may choose (`margins.ts`), in the backtest's order of trial. */
export const POLICY_MARGIN_METHODS = ["shin", "power", "normalise"] as const;

/** A margin removal method a policy may choose. */
export type PolicyMarginMethod = typeof POLICY_MARGIN_METHODS[number];

/** One edge bucket of the backtest: picks with edge in [edge_from, edge_to). */
export interface EdgeBucket {
  edge_from: number;
  /** null: no upper bound. */
  edge_to: number | null;
  picks: number;
  mean_clv: number;
  mean_clv_ci95: [number, number];
}

/** The served value-bet policy (version 1 of `models/value_policy.json`). */
export interface ValuePolicy {
  version: 1;
  fair: {
    /** Pinnacle's price where a request has it (by name, any case), else the books' consensus. */
    method: "pinnacle_or_consensus";
    margin_removal: PolicyMarginMethod;
    /** Weight of the results-only model's probability blended with the market's fair one. */
    model_weight: number;
  };
  /** Smallest edge that opens a value bet (and an alert). */
  min_edge: number;
  /** An open alert closes when its edge falls below this (hysteresis: <= min_edge). */
  close_edge: number;
  min_odds: number;
  max_odds: number;
  markets: ValueMarket[];
  /** Books that must price a whole market before a value bet is served on it. */
  min_books: number;
  kelly_fraction: number;
  kelly_cap: number;
  buckets: EdgeBucket[];
  /** Seasons and leagues the policy was chosen on; null for the unchosen default. */
  chosen_on: { seasons: string[]; leagues: string[] } | null;
  evaluated_on: {
    seasons: string[];
    picks: number;
    mean_clv: number;
    mean_clv_ci95: [number, number];
    roi: number;
    roi_ci95: [number, number];
  } | null;
}

/**
 * The policy served when no chosen one is committed: the thresholds served before policies
 * existed (edge 3 %, quarter Kelly capped at 5 %), no backtest figures.
 */
export const DEFAULT_VALUE_POLICY: ValuePolicy = Object.freeze({
  version: 1,
  fair: { method: "pinnacle_or_consensus", margin_removal: "shin", model_weight: 0.5 },
  min_edge: 0.03,
  close_edge: 0.01,
  min_odds: 1.01,
  max_odds: 1000,
  markets: ["1x2", "totals_2_5", "btts"],
  min_books: 1,
  kelly_fraction: 0.25,
  kelly_cap: 0.05,
  buckets: [],
  chosen_on: null,
  evaluated_on: null,
}) as ValuePolicy;

/** The backtest bucket an edge falls in, or undefined when none covers it. */
export function edgeBucket(policy: ValuePolicy, edge: number): EdgeBucket | undefined {
  return policy.buckets.find((b) =>
    edge >= b.edge_from && (b.edge_to === null || edge < b.edge_to)
  );
}
