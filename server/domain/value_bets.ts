/**
 * Value bets: selections whose model probability beats the offered decimal price, staked by
 * capped fractional Kelly (see `staking.ts`).
 * @module
 */
import type { ValueBet } from "./prediction.ts";
import { type KellyOptions, kellyStake } from "./staking.ts";

/** One priced selection with the model's probability for it. */
export interface PricedSelection {
  market: string;
  selection: string;
  /** Decimal odds, above 1. */
  odds: number;
  probability: number;
}

/**
 * The selections whose edge p*o - 1 exceeds `threshold`, largest edge first, each with its
 * capped fractional Kelly stake.
 */
export function findValueBets(
  selections: readonly PricedSelection[],
  threshold: number,
  kelly: KellyOptions = {},
): ValueBet[] {
  const bets: ValueBet[] = [];
  for (const s of selections) {
    const edge = s.probability * s.odds - 1;
    if (!(edge > threshold)) continue;
    bets.push({
      market: s.market,
      selection: s.selection,
      odds: s.odds,
      probability: s.probability,
      edge,
      kelly_fraction: kellyStake(s.probability, s.odds, kelly),
    });
  }
  return bets.sort((a, b) => b.edge - a.edge);
}
