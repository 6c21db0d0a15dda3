/**
 * Prices of several bookmakers for one match: the request's `bookmakers` and its unnamed `odds`
 * book, the books that price a whole market, and the best price of each selection.
 * @module
 */
import type { PredictionRequest, RequestOdds } from "./prediction.ts";
import type { ValueMarket } from "./value_policy.ts";

/** One bookmaker's decimal prices; the 1X2 prices are required, the rest optional. */
export interface BookmakerPrices extends RequestOdds {
  name: string;
}

/** The name the request's unnamed `odds` book goes by in answers. */
export const UNNAMED_BOOK = "odds";

/** The selections of each market, in the order their prices and probabilities are kept. */
export const MARKET_SELECTIONS: Readonly<Record<ValueMarket, readonly string[]>> = {
  "1x2": ["home", "draw", "away"],
  "totals_2_5": ["over", "under"],
  "btts": ["yes", "no"],
};

/** The request field of each selection's price. */
const PRICE_FIELDS: Record<ValueMarket, readonly (keyof RequestOdds)[]> = {
  "1x2": ["home", "draw", "away"],
  "totals_2_5": ["over_2_5", "under_2_5"],
  "btts": ["btts_yes", "btts_no"],
};

/** Every book of a request: its `bookmakers`, then its `odds` as the unnamed book. */
export function booksOf(
  request: Pick<PredictionRequest, "odds" | "bookmakers">,
): BookmakerPrices[] {
  const books = [...(request.bookmakers ?? [])];
  if (request.odds) books.push({ ...request.odds, name: UNNAMED_BOOK });
  return books;
}

/** The prices of `market` in one book, in selection order, or undefined unless all are given. */
export function marketPrices(book: RequestOdds, market: ValueMarket): number[] | undefined {
  const prices: number[] = [];
  for (const field of PRICE_FIELDS[market]) {
    const p = book[field];
    if (typeof p !== "number" || !(p > 1) || !Number.isFinite(p)) return undefined;
    prices.push(p);
  }
  return prices;
}

/** The books that price a whole market, with those prices. */
export function booksPricing(
  books: readonly BookmakerPrices[],
  market: ValueMarket,
): { name: string; prices: number[] }[] {
  const out: { name: string; prices: number[] }[] = [];
  for (const book of books) {
    const prices = marketPrices(book, market);
    if (prices) out.push({ name: book.name, prices });
  }
  return out;
}

/** The best (highest) price of one selection across the books that price it, first book on ties. */
export function bestPrice(
  books: readonly BookmakerPrices[],
  market: ValueMarket,
  index: number,
): { odds: number; bookmaker: string } | undefined {
  const field = PRICE_FIELDS[market][index];
  let best: { odds: number; bookmaker: string } | undefined;
  for (const book of books) {
    const p = book[field];
    if (typeof p !== "number" || !(p > 1) || !Number.isFinite(p)) continue;
    if (!best || p > best.odds) best = { odds: p, bookmaker: book.name };
  }
  return best;
}

/** A stable text of every price of a request (part of the prediction cache key). */
export function pricesKey(request: Pick<PredictionRequest, "odds" | "bookmakers">): string {
  const book = (o: RequestOdds) =>
    `${o.home}|${o.draw}|${o.away}|${o.over_2_5 ?? ""}|${o.under_2_5 ?? ""}|${o.btts_yes ?? ""}|${
      o.btts_no ?? ""
    }`;
  let key = request.odds ? book(request.odds) : "";
  for (const b of request.bookmakers ?? []) key += `\u0001${b.name}\u0002${book(b)}`;
  return key;
}

/**
 * The mean 1X2 prices of the books (football-data's "average" price, which the blend model was
 * trained on), or undefined without books.
 */
export function averagePrices(books: readonly BookmakerPrices[]): RequestOdds | undefined {
  if (books.length === 0) return undefined;
  const mean = (f: "home" | "draw" | "away") => books.reduce((s, b) => s + b[f], 0) / books.length;
  return { home: mean("home"), draw: mean("draw"), away: mean("away") };
}
