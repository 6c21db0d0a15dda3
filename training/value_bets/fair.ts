/**
 * The market's fair probability of a football-data.co.uk match, by the service's own
 * implementation (`pricesFair` in `server/domain/value_bets.ts`: Pinnacle's opening price with the
 * margin removed, else the consensus of the books), so the backtest scores what is served. The
 * files name books by code; Pinnacle's `PS` goes by the name the service recognises.
 * @module
 */
import { type MarketFair, pricesFair, SHARP_BOOK } from "../../server/domain/value_bets.ts";
import type { PolicyMarginMethod } from "../../server/domain/value_policy.ts";
import { type BookPrice, PINNACLE } from "../data/bookmaker_prices.ts";

/** The fair probabilities of one market from its opening books; undefined without any book. */
export function booksFair(
  books: readonly BookPrice[],
  method: PolicyMarginMethod,
): MarketFair | undefined {
  const named = books.map((b) => ({
    name: b.book === PINNACLE ? SHARP_BOOK : b.book,
    prices: b.prices,
  }));
  return pricesFair(named, method);
}
