/**
 * The market's fair probability of a match: Pinnacle's opening price with the margin removed,
 * else the consensus of the other books (the mean of their de-margined probabilities), optionally
 * blended with our own forecast.
 * @module
 */
import { fairProbabilities } from "../../server/domain/margins.ts";
import { type BookPrice, PINNACLE } from "../data/bookmaker_prices.ts";

/** Margin-removal methods compared by the backtest. */
export const MARGIN_REMOVALS = ["shin", "power", "normalise"] as const;

/** A margin-removal method the policy may name. */
export type MarginRemoval = typeof MARGIN_REMOVALS[number];

/** A fair probability and where it came from. */
export interface MarketFair {
  probs: number[];
  source: "pinnacle" | "consensus";
}

/**
 * Fair probabilities of one market from its opening books: Pinnacle's price de-margined when
 * Pinnacle quoted it (the sharpest book: Buchdahl), else the mean of every book's de-margined
 * probabilities; undefined without any book.
 */
export function marketFair(
  books: readonly BookPrice[],
  method: MarginRemoval,
): MarketFair | undefined {
  const pinnacle = books.find((b) => b.book === PINNACLE);
  if (pinnacle) return { probs: fairProbabilities(pinnacle.prices, method), source: "pinnacle" };
  if (books.length === 0) return undefined;
  const sum = books[0].prices.map(() => 0);
  for (const b of books) {
    fairProbabilities(b.prices, method).forEach((p, i) => sum[i] += p);
  }
  return { probs: sum.map((s) => s / books.length), source: "consensus" };
}

/** `(1 - weight) * market + weight * model`, outcome by outcome (both sum to 1, so does this). */
export function blendFair(
  market: readonly number[],
  model: readonly number[],
  weight: number,
): number[] {
  if (!(weight >= 0 && weight <= 1)) {
    throw new RangeError(`Model weight must be in [0, 1], got "${weight}"`);
  }
  if (model.length !== market.length) {
    throw new RangeError(`Model has ${model.length} outcomes, the market ${market.length}`);
  }
  return market.map((p, i) => (1 - weight) * p + weight * model[i]);
}
