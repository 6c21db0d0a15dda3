/**
 * Value bets against a fair price from the market: the fair probability of each market comes
 * from Pinnacle's price where a request has it, else from the consensus of the books, margin
 * removed (`margins.ts`), blended with the results-only model at the policy's weight; a value
 * bet is the best price across books against that probability (line shopping), staked by capped
 * fractional Kelly (`staking.ts`). Pinnacle's closing price is the usual reference for whether a
 * bet had value (Buchdahl); Kaunitz, Zhong & Kreiner (2017) bet the best price against the
 * consensus.
 * @module
 */
import { bestPrice, type BookmakerPrices, booksPricing, MARKET_SELECTIONS } from "./bookmakers.ts";
import { fairProbabilities } from "./margins.ts";
import type { BestPrice, ValueBet } from "./prediction.ts";
import { kellyStake } from "./staking.ts";
import {
  edgeBucket,
  type PolicyMarginMethod,
  type ValueMarket,
  type ValuePolicy,
} from "./value_policy.ts";

/** The markets, in the order answers list them. */
export const VALUE_MARKETS: readonly ValueMarket[] = ["1x2", "totals_2_5", "btts"];

/** Probabilities per market, in `MARKET_SELECTIONS` order. */
export type MarketProbabilities = Partial<Record<ValueMarket, number[]>>;

/** The market's fair probabilities of one market. */
export interface MarketFair {
  /** `pinnacle` when Pinnacle priced the whole market, else `consensus` of every book. */
  source: "pinnacle" | "consensus";
  /** Books that priced the whole market. */
  books: number;
  probabilities: number[];
}

/** The sharp book whose price is the fair reference where present. */
export const SHARP_BOOK = "Pinnacle";

/**
 * The embedded demo market's sharp book (low margin, moves first): it plays Pinnacle's part
 * there, so the demo's fair prices come from it as real ones come from Pinnacle.
 */
export const DEMO_SHARP_BOOK = "demo-sharp";

const SHARP_NAMES: readonly string[] = [SHARP_BOOK, DEMO_SHARP_BOOK].map((n) => n.toLowerCase());

/**
 * Whether `name` is {@link SHARP_BOOK} (or the demo's {@link DEMO_SHARP_BOOK}), in any case and
 * spacing a request may send, alone or as the book of a source label `feed/book`
 * (`football-data/pinnacle`).
 */
export function isSharpBook(name: string): boolean {
  const book = name.slice(name.lastIndexOf("/") + 1);
  return SHARP_NAMES.includes(book.trim().toLowerCase());
}

/** One book's prices of one market, in selection order. */
export interface NamedPrices {
  name: string;
  prices: readonly number[];
}

/**
 * Fair probabilities of `market` from the books that price all of it: Pinnacle's de-margined
 * price when present, else the mean of every book's de-margined prices. Undefined when no book
 * prices the whole market.
 */
export function marketFair(
  books: readonly BookmakerPrices[],
  market: ValueMarket,
  policy: Pick<ValuePolicy, "fair">,
): MarketFair | undefined {
  return pricesFair(booksPricing(books, market), policy.fair.margin_removal);
}

/**
 * {@link marketFair} of books already reduced to one market's complete prices (the backtest's
 * files give them so): the one implementation both serving and the backtest use.
 */
export function pricesFair(
  pricing: readonly NamedPrices[],
  method: PolicyMarginMethod,
): MarketFair | undefined {
  if (pricing.length === 0) return undefined;
  const sharp = pricing.find((b) => isSharpBook(b.name));
  if (sharp) {
    return {
      source: "pinnacle",
      books: pricing.length,
      probabilities: fairProbabilities(sharp.prices, method),
    };
  }
  const mean = new Array<number>(pricing[0].prices.length).fill(0);
  for (const book of pricing) {
    const fair = fairProbabilities(book.prices, method);
    for (let i = 0; i < mean.length; i++) mean[i] += fair[i] / pricing.length;
  }
  const total = mean.reduce((a, b) => a + b, 0);
  return { source: "consensus", books: pricing.length, probabilities: mean.map((p) => p / total) };
}

/**
 * `weight` x model + (1 - weight) x market, renormalised; the model alone without a market, the
 * market exactly at weight 0 (no renormalising rounding, as the backtest scored it).
 */
export function blendWithMarket(
  model: readonly number[],
  market: MarketFair | undefined,
  weight: number,
): number[] {
  if (!market) return [...model];
  if (weight === 0) return [...market.probabilities];
  const blended = model.map((p, i) => weight * p + (1 - weight) * market.probabilities[i]);
  const total = blended.reduce((a, b) => a + b, 0);
  return blended.map((p) => p / total);
}

/** The best price of one selection, with the forecast's probability of it. */
export interface SelectionQuote extends BestPrice {
  market: ValueMarket;
}

/** The best price of every priced selection of `forecast`'s markets, in market order. */
export function selectionQuotes(
  books: readonly BookmakerPrices[],
  forecast: MarketProbabilities,
): SelectionQuote[] {
  const quotes: SelectionQuote[] = [];
  for (const market of VALUE_MARKETS) {
    const probabilities = forecast[market];
    if (!probabilities) continue;
    const pricing = booksPricing(books, market).length;
    MARKET_SELECTIONS[market].forEach((selection, i) => {
      const best = bestPrice(books, market, i);
      if (!best) return;
      const probability = probabilities[i];
      quotes.push({
        market,
        selection,
        odds: best.odds,
        bookmaker: best.bookmaker,
        books: pricing,
        probability,
        edge: probability * best.odds - 1,
      });
    });
  }
  return quotes;
}

/**
 * The quotes that make value bets under `policy` (edge at least `min_edge`, price within the
 * odds range, an allowed market priced by at least `min_books` books), largest edge first,
 * each with its Kelly stake on the best price and the closing line value the backtest measured
 * for its edge bucket.
 */
export function findValueBets(
  quotes: readonly SelectionQuote[],
  policy: ValuePolicy,
  forecast: string,
): ValueBet[] {
  const bets: ValueBet[] = [];
  const kelly = { fraction: policy.kelly_fraction, cap: policy.kelly_cap };
  for (const q of quotes) {
    if (!(q.edge >= policy.min_edge)) continue;
    if (q.odds < policy.min_odds || q.odds > policy.max_odds) continue;
    if (!policy.markets.includes(q.market) || q.books < policy.min_books) continue;
    const bucket = edgeBucket(policy, q.edge);
    bets.push({
      market: q.market,
      selection: q.selection,
      odds: q.odds,
      bookmaker: q.bookmaker,
      books: q.books,
      forecast,
      probability: q.probability,
      fair_odds: 1 / q.probability,
      edge: q.edge,
      kelly_fraction: kellyStake(q.probability, q.odds, kelly),
      expected_clv: bucket?.mean_clv ?? null,
      expected_clv_ci95: bucket?.mean_clv_ci95 ?? null,
    });
  }
  return bets.sort((a, b) => b.edge - a.edge);
}
