/**
 * Value bets: selections whose model probability beats the offered decimal price, staked by
 * fractional Kelly (Kelly 1956), capped.
 * @module
 */
import type { ValueBet } from "../domain/prediction.ts";

/** Fractional Kelly settings. */
export interface KellyOptions {
  /**
   * Fraction of the full Kelly stake to bet.
   * @default 0.25
   */
  fraction?: number;
  /**
   * Largest stake as a fraction of bankroll.
   * @default 0.05
   */
  cap?: number;
}

/** One priced selection with the model's probability for it. */
export interface PricedSelection {
  market: string;
  selection: string;
  odds: number;
  probability: number;
}

/** Full Kelly stake (p*o - 1) / (o - 1) for decimal odds `o`; 0 when there is no edge. */
export function kellyStake(probability: number, odds: number): number {
  if (!(odds > 1)) return 0;
  return Math.max(0, (probability * odds - 1) / (odds - 1));
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
  const fraction = kelly.fraction ?? 0.25;
  const cap = kelly.cap ?? 0.05;
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
      kelly_fraction: Math.min(cap, fraction * kellyStake(s.probability, s.odds)),
    });
  }
  return bets.sort((a, b) => b.edge - a.edge);
}
