import assert from "node:assert/strict";
import type { BookmakerPrices } from "./bookmakers.ts";
import { fairProbabilities } from "./margins.ts";
import { blendWithMarket, findValueBets, marketFair, selectionQuotes } from "./value_bets.ts";
import { DEFAULT_VALUE_POLICY, type ValuePolicy } from "./value_policy.ts";

const policy: ValuePolicy = {
  ...DEFAULT_VALUE_POLICY,
  fair: { method: "pinnacle_or_consensus", margin_removal: "normalise", model_weight: 0 },
  buckets: [
    { edge_from: 0.03, edge_to: 0.06, picks: 400, mean_clv: 0.012, mean_clv_ci95: [0.004, 0.02] },
    { edge_from: 0.06, edge_to: null, picks: 90, mean_clv: 0.02, mean_clv_ci95: [-0.01, 0.05] },
  ],
};

Deno.test("marketFair: Pinnacle's de-margined price by name in any case, else the consensus", () => {
  const soft: BookmakerPrices = { name: "Soft", home: 2.0, draw: 3.2, away: 3.6 };
  const sharp: BookmakerPrices = { name: " PINNACLE", home: 2.1, draw: 3.5, away: 3.9 };
  const withSharp = marketFair([soft, sharp], "1x2", policy)!;
  assert.equal(withSharp.source, "pinnacle");
  assert.equal(withSharp.books, 2);
  assert.deepEqual(withSharp.probabilities, fairProbabilities([2.1, 3.5, 3.9], "normalise"));
  const other: BookmakerPrices = { name: "Other", home: 2.2, draw: 3.1, away: 3.4 };
  const consensus = marketFair([soft, other], "1x2", policy)!;
  assert.equal(consensus.source, "consensus");
  const a = fairProbabilities([2.0, 3.2, 3.6]);
  const b = fairProbabilities([2.2, 3.1, 3.4]);
  consensus.probabilities.forEach((p, i) => assert.ok(Math.abs(p - (a[i] + b[i]) / 2) < 1e-12));
  assert.equal(marketFair([soft], "btts", policy), undefined, "no book prices the market");
});

Deno.test("blendWithMarket: weight 1 is the model, 0 the market", () => {
  const market = { source: "consensus" as const, books: 1, probabilities: [0.5, 0.3, 0.2] };
  assert.deepEqual(blendWithMarket([0.2, 0.3, 0.5], market, 1), [0.2, 0.3, 0.5]);
  assert.deepEqual(blendWithMarket([0.2, 0.3, 0.5], market, 0), [0.5, 0.3, 0.2]);
  // Weight 0 is the market to the last bit, as the backtest scores it, not renormalised.
  // (0.6 + 0.3 + 0.1 is 0.9999999999999999 in floating point.)
  const unrounded = { ...market, probabilities: [0.6, 0.3, 0.1] };
  assert.deepEqual(blendWithMarket([0.2, 0.3, 0.5], unrounded, 0), [0.6, 0.3, 0.1]);
  const half = blendWithMarket([0.2, 0.3, 0.5], market, 0.5);
  half.forEach((p, i) => assert.ok(Math.abs(p - [0.35, 0.3, 0.35][i]) < 1e-12));
});

Deno.test("findValueBets: the best price across books against the forecast, with its bucket's CLV", () => {
  const books: BookmakerPrices[] = [
    { name: "Pinnacle", home: 2.0, draw: 3.6, away: 4.2 },
    { name: "Slow", home: 2.25, draw: 3.3, away: 3.9 },
    { name: "Other", home: 2.1, draw: 3.4, away: 4.0 },
  ];
  const fair = marketFair(books, "1x2", policy)!.probabilities;
  const quotes = selectionQuotes(books, { "1x2": fair });
  assert.deepEqual(quotes.map((q) => [q.selection, q.bookmaker, q.odds]), [
    ["home", "Slow", 2.25],
    ["draw", "Pinnacle", 3.6],
    ["away", "Pinnacle", 4.2],
  ]);
  const bets = findValueBets(quotes, policy, "fair");
  assert.deepEqual(bets.map((b) => b.selection), ["home"]);
  const home = bets[0];
  assert.equal(home.probability, fair[0]);
  assert.ok(Math.abs(home.edge - (fair[0] * 2.25 - 1)) < 1e-12);
  assert.equal(home.forecast, "fair");
  assert.equal(home.books, 3);
  assert.equal(home.expected_clv, home.edge < 0.06 ? 0.012 : 0.02);
  assert.ok(Math.abs(home.kelly_fraction - Math.min(0.05, 0.25 * home.edge / 1.25)) < 1e-12);
});

Deno.test("findValueBets: odds range, markets and minimum books of the policy apply", () => {
  const quote = {
    market: "1x2" as const,
    selection: "away",
    odds: 6,
    bookmaker: "A",
    books: 2,
    probability: 0.2,
    edge: 0.2,
  };
  assert.equal(findValueBets([quote], policy, "fair").length, 1);
  assert.equal(findValueBets([quote], { ...policy, max_odds: 5 }, "fair").length, 0);
  assert.equal(findValueBets([quote], { ...policy, markets: ["btts"] }, "fair").length, 0);
  assert.equal(findValueBets([quote], { ...policy, min_books: 3 }, "fair").length, 0);
  assert.equal(findValueBets([quote], { ...policy, min_edge: 0.25 }, "fair").length, 0);
});
