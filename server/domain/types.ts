/**
 * Domain types shared by training, serving and the browser. Pure data, no runtime code.
 * @module
 */

/** Decimal 1X2 prices (home, draw, away). */
export interface Prices1x2 {
  home: number;
  draw: number;
  away: number;
}

/** Decimal prices for total goals over/under 2.5. */
export interface PricesTotals {
  over: number;
  under: number;
}

/** Decimal prices for both teams to score. */
export interface PricesBtts {
  yes: number;
  no: number;
}

/** The prices of one snapshot of a market (opening or closing). Any part may be missing. */
export interface MarketPrices {
  x12?: Prices1x2;
  totals25?: PricesTotals;
  btts?: PricesBtts;
}

/** One played match with its result and the market's opening and closing prices. */
export interface MatchRecord {
  /** Stable id: `${league}:${YYYY-MM-DD}:${home}:${away}`. */
  id: string;
  /** League key, e.g. `england-premier-league` (see `server/domain/leagues.ts`). */
  league: string;
  /** Season label, e.g. `2019-2020`. */
  season: string;
  kickoff: Date;
  /** Canonical team names (the shared `leagues/` spelling). */
  home: string;
  away: string;
  homeGoals: number;
  awayGoals: number;
  opening: MarketPrices;
  closing: MarketPrices;
}

/** Outcome index in 1X2 order. */
export type Outcome = 0 | 1 | 2;

/** Probabilities in 1X2 order: [home, draw, away]. */
export type Probs1x2 = [number, number, number];
