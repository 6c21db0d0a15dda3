/**
 * One market's prices at every book, the best price of each selection marked with a tick, in
 * bold and in words for screen readers (not by colour alone). Rendered by the match page on the
 * server (the live board links there rather than carrying every book's prices per row).
 * @module
 */
import type { BestOffer, PriceField, PriceMarket, ShownBook } from "./book_prices.ts";
import { formatOdds } from "./format.ts";

/** Props of {@link BookPricesTable}. */
export interface BookPricesTableProps {
  market: PriceMarket;
  books: readonly ShownBook[];
  /** The best offer of each field (`bestOffers` over the same books). */
  best: Partial<Record<PriceField, BestOffer>>;
}

/** The prices of one market, a row per book. */
export function BookPricesTable({ market, books, best }: BookPricesTableProps) {
  return (
    <table class="table book-table" data-market={market.key}>
      <caption>{market.title}</caption>
      <thead>
        <tr>
          <th scope="col">Bookmaker</th>
          {market.fields.map((f) => <th key={f.field} scope="col">{f.label}</th>)}
        </tr>
      </thead>
      <tbody>
        {books.map((b) => (
          <tr key={b.name} data-book={b.name}>
            <th scope="row">{b.name}</th>
            {market.fields.map(({ field }) => {
              const price = b[field];
              const isBest = price !== undefined && best[field]?.odds === price;
              return (
                <td key={field} class={isBest ? "best" : undefined} data-field={field}>
                  {isBest && <span class="best-mark" aria-hidden="true">✓</span>}
                  {formatOdds(price)}
                  {isBest && <span class="sr-only">(best price)</span>}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The line explaining the star, shown once under the tables. */
export function BestPriceLegend() {
  return (
    <p class="note">
      <span aria-hidden="true">✓</span> marks the best price of each selection across the books.
    </p>
  );
}
