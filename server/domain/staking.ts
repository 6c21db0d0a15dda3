/**
 * Bet sizing and bet quality: edge, fractional Kelly stakes, closing-line value, market moves.
 * @module
 */

/** Limits on a Kelly stake. */
export interface KellyOptions {
  /**
   * Share of the full Kelly stake to bet; full Kelly is too volatile when probabilities are
   * estimated.
   * @default {0.25}
   */
  fraction?: number;
  /**
   * Largest stake as a share of bankroll.
   * @default {0.05}
   */
  cap?: number;
}

function checkProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Probability must be in [0, 1], got "${p}"`);
}

function checkOdds(odds: number): void {
  if (!(odds > 1 && Number.isFinite(odds))) {
    throw new RangeError(`Odds must be a number greater than 1, got "${odds}"`);
  }
}

/** Expected profit per unit staked: `p * odds - 1` (positive means value). */
export function edge(probability: number, odds: number): number {
  checkProbability(probability);
  checkOdds(odds);
  return probability * odds - 1;
}

/**
 * Fractional Kelly (1956) stake as a share of bankroll: `fraction * (p * o - 1) / (o - 1)`,
 * at most `cap`, and 0 when there is no edge.
 */
export function kellyStake(probability: number, odds: number, options: KellyOptions = {}): number {
  const { fraction = 0.25, cap = 0.05 } = options;
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`Kelly fraction must be in [0, 1], got "${fraction}"`);
  }
  if (!(cap >= 0 && cap <= 1)) throw new RangeError(`Kelly cap must be in [0, 1], got "${cap}"`);
  const e = edge(probability, odds);
  if (e <= 0) return 0;
  return Math.min(cap, fraction * e / (odds - 1));
}

/**
 * Closing-line value of a bet: the price taken against the fair closing probability,
 * `offeredOdds * pCloseFair - 1`. Positive means the bet beat the closing line.
 */
export function closingLineValue(offeredOdds: number, fairClosingProbability: number): number {
  return edge(fairClosingProbability, offeredOdds);
}

/**
 * Relative change of an outcome's fair probability from opening to closing:
 * `pCloseFair / pOpenFair - 1` (positive: the market moved towards the outcome).
 */
export function marketMove(pOpenFair: number, pCloseFair: number): number {
  checkProbability(pOpenFair);
  checkProbability(pCloseFair);
  if (pOpenFair === 0) throw new RangeError("Opening probability must be greater than 0");
  return pCloseFair / pOpenFair - 1;
}
