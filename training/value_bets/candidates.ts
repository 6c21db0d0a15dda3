/**
 * The bets a policy chooses from: for every match, market and selection, the best opening price
 * across books against the fair opening probability (edge = p x price - 1), scored afterwards
 * against Pinnacle's closing price with the same margin removal (closing line value) and the
 * result. Only opening prices decide a candidate's edge; closing prices and results only score it.
 * @module
 */
import { fairProbabilities } from "../../server/domain/margins.ts";
import { closingLineValue, edge } from "../../server/domain/staking.ts";
import { blendWithMarket } from "../../server/domain/value_bets.ts";
import type { PolicyMarginMethod } from "../../server/domain/value_policy.ts";
import type { BookmakerMatch, BookPrice } from "../data/bookmaker_prices.ts";
import { booksFair } from "./fair.ts";

/** Markets a policy may bet. The files hold no both-teams-to-score prices. */
export const MARKETS = ["1x2", "totals_2_5"] as const;

/** A market of the policy file. */
export type Market = typeof MARKETS[number];

const SELECTIONS: Record<Market, readonly string[]> = {
  "1x2": ["home", "draw", "away"],
  totals_2_5: ["over", "under"],
};

/** One possible bet. */
export interface Candidate {
  match_id: string;
  league: string;
  season: string;
  /** UTC calendar day of kick-off: the bootstrap's cluster. */
  day: string;
  market: Market;
  selection: string;
  /** Best opening price across books. */
  price: number;
  /** Book offering it (the first of equals). */
  book: string;
  /** Books quoting this market for this match. */
  books: number;
  /** Fair opening probability (market, blended with the model when asked). */
  fair: number;
  edge: number;
  /** Fair closing probability from Pinnacle's closing price. */
  fair_close: number;
  /** price x fair closing probability - 1. */
  clv: number;
  won: boolean;
}

/** How candidates are priced. */
export interface CandidateOptions {
  marginRemoval: PolicyMarginMethod;
  /** Our forecast of the match (1X2 and over 2.5 probabilities), if any. */
  model?: { x12?: readonly number[]; over25?: number };
  /** Weight of `model` in the fair probability. @default {0} */
  modelWeight?: number;
}

function best(books: readonly BookPrice[], k: number): { price: number; book: string } {
  let top = books[0];
  for (const b of books) if (b.prices[k] > top.prices[k]) top = b;
  return { price: top.prices[k], book: top.book };
}

/**
 * The scoreable candidates of a match: every selection of every market that has opening books
 * and Pinnacle's closing price. Markets without a closing price are skipped, not guessed.
 */
export function matchCandidates(m: BookmakerMatch, options: CandidateOptions): Candidate[] {
  const { marginRemoval, model, modelWeight = 0 } = options;
  const goals = m.match.homeGoals - m.match.awayGoals;
  const total = m.match.homeGoals + m.match.awayGoals;
  const markets: {
    market: Market;
    books: BookPrice[];
    close?: number[];
    model?: readonly number[];
    result: number;
  }[] = [
    {
      market: "1x2",
      books: m.x12,
      close: m.pinnacleClose.x12,
      model: model?.x12,
      result: goals > 0 ? 0 : goals === 0 ? 1 : 2,
    },
    {
      market: "totals_2_5",
      books: m.totals25,
      close: m.pinnacleClose.totals25,
      model: model?.over25 === undefined ? undefined : [model.over25, 1 - model.over25],
      result: total > 2.5 ? 0 : 1,
    },
  ];
  const out: Candidate[] = [];
  const day = m.match.kickoff.toISOString().slice(0, 10);
  for (const mk of markets) {
    if (!mk.close || mk.books.length === 0) continue;
    const market = booksFair(mk.books, marginRemoval)!;
    const fair = mk.model ? blendWithMarket(mk.model, market, modelWeight) : market.probabilities;
    const fairClose = fairProbabilities(mk.close, marginRemoval);
    SELECTIONS[mk.market].forEach((selection, k) => {
      const { price, book } = best(mk.books, k);
      out.push({
        match_id: m.match.id,
        league: m.match.league,
        season: m.season,
        day,
        market: mk.market,
        selection,
        price,
        book,
        books: mk.books.length,
        fair: fair[k],
        edge: edge(fair[k], price),
        fair_close: fairClose[k],
        clv: closingLineValue(price, fairClose[k]),
        won: mk.result === k,
      });
    });
  }
  return out;
}
