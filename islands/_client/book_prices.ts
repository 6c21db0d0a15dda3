/**
 * Prices per bookmaker as pages show them: the books of a match and the best price of each
 * selection across them (line shopping), every book offering that best price marked.
 * @module
 */
import type { MatchOdds } from "../../server/domain/live_protocol.ts";
import type { RequestOdds } from "../../server/domain/prediction.ts";

/** A price field of a book (`home`, `over_2_5`...). */
export type PriceField = keyof RequestOdds;

/** One book's prices as pages need them; any field but the name may be missing. */
export type ShownBook = { name: string } & Partial<RequestOdds>;

/** A market as a prices table shows it: its selections' fields and column labels. */
export interface PriceMarket {
  key: "1x2" | "totals_2_5" | "btts";
  title: string;
  fields: { field: PriceField; label: string }[];
}

/** The markets of the prices tables, in page order. */
export const PRICE_MARKETS: readonly PriceMarket[] = [
  {
    key: "1x2",
    title: "Result (1X2)",
    fields: [
      { field: "home", label: "Home" },
      { field: "draw", label: "Draw" },
      { field: "away", label: "Away" },
    ],
  },
  {
    key: "totals_2_5",
    title: "Total goals 2.5",
    fields: [{ field: "over_2_5", label: "Over" }, { field: "under_2_5", label: "Under" }],
  },
  {
    key: "btts",
    title: "Both teams to score",
    fields: [{ field: "btts_yes", label: "Yes" }, { field: "btts_no", label: "No" }],
  },
];

/** The best price of one selection and every book offering it. */
export interface BestOffer {
  odds: number;
  books: string[];
}

/** What a match carries of its prices: every book, or (older servers) its one source's. */
export interface PricedMatch {
  source: string;
  odds: Pick<MatchOdds, "x12"> & Partial<Omit<MatchOdds, "x12">>;
  bookmakers?: ShownBook[];
}

/** The books of a match: its `bookmakers`, else its one source's prices as the only book. */
export function booksOfMatch(m: PricedMatch): ShownBook[] {
  if (m.bookmakers && m.bookmakers.length > 0) return m.bookmakers;
  const { x12, ...rest } = m.odds;
  return [{ name: m.source, ...x12, ...rest }];
}

function isPrice(p: unknown): p is number {
  return typeof p === "number" && Number.isFinite(p) && p > 1;
}

/** The best (highest) price of each field any book prices, with every book offering it. */
export function bestOffers(
  books: readonly ShownBook[],
): Partial<Record<PriceField, BestOffer>> {
  const best: Partial<Record<PriceField, BestOffer>> = {};
  for (const market of PRICE_MARKETS) {
    for (const { field } of market.fields) {
      for (const book of books) {
        const p = book[field];
        if (!isPrice(p)) continue;
        const now = best[field];
        if (!now || p > now.odds) best[field] = { odds: p, books: [book.name] };
        else if (p === now.odds) now.books.push(book.name);
      }
    }
  }
  return best;
}

/** The markets at least one book prices. */
export function pricedMarkets(books: readonly ShownBook[]): PriceMarket[] {
  return PRICE_MARKETS.filter((m) => books.some((b) => m.fields.some((f) => isPrice(b[f.field]))));
}

/** `demo-soft`, or `demo-soft +2` when two more books offer the same best price. */
export function offeredBy(offer: BestOffer): string {
  return offer.books.length > 1 ? `${offer.books[0]} +${offer.books.length - 1}` : offer.books[0];
}
