import assert from "node:assert/strict";
import {
  fairOdds,
  marketForecast,
  matrixProbabilities,
  pricedAnswer,
  showForecast,
} from "./market_answer.ts";
import { fitMatrixTo, marketsFromMatrix } from "./markets.ts";
import { scoreMatrix } from "./score_matrix.ts";
import type { Probs1x2 } from "./types.ts";
import { DEFAULT_VALUE_POLICY } from "./value_policy.ts";

Deno.test("marketForecast: without books the answer is the model's, with no value bets", () => {
  const derived = marketsFromMatrix(scoreMatrix(1.5, 1.1, -0.05), 11);
  const model = {
    outcome: [0.5, 0.3, 0.2] as Probs1x2,
    overUnder25: () => derived.markets.over_under_2_5,
    btts: () => derived.markets.btts,
  };
  const { forecast, probabilities } = marketForecast(model, [], DEFAULT_VALUE_POLICY);
  assert.equal(forecast.name, "model");
  assert.deepEqual(probabilities, {});
  const answer = pricedAnswer(derived, [], DEFAULT_VALUE_POLICY, forecast);
  assert.deepEqual(answer.value_bets, []);
  assert.deepEqual(answer.best_prices, []);
});

Deno.test("showForecast: the shown markets are the forecast's, and value bets use them", () => {
  const m = scoreMatrix(2.2, 0.8, -0.05);
  const n = 11;
  const model = marketsFromMatrix(m, n);
  const books = [{ name: "A", home: 1.5, draw: 4.5, away: 7, btts_yes: 2.1, btts_no: 1.7 }];
  const { forecast, probabilities: fair } = marketForecast(
    matrixProbabilities(model),
    books,
    DEFAULT_VALUE_POLICY,
  );
  assert.equal(forecast.name, "fair");
  assert.deepEqual(forecast.markets.map((x) => x.market), ["1x2", "btts"]);
  const shown = showForecast(
    marketsFromMatrix(fitMatrixTo(m, n, fair["1x2"] as Probs1x2), n),
    fair,
  );
  assert.equal(shown.probabilities.home_win, fair["1x2"]![0]);
  assert.equal(shown.markets.btts.yes, fair.btts![0]);
  const answer = pricedAnswer(shown, books, DEFAULT_VALUE_POLICY, forecast);
  assert.equal(answer.best_prices.length, 5);
  for (const q of answer.best_prices) {
    const p = q.market === "1x2"
      ? fair["1x2"]![["home", "draw", "away"].indexOf(q.selection)]
      : fair.btts![["yes", "no"].indexOf(q.selection)];
    assert.equal(q.probability, p);
    assert.ok(Math.abs(q.edge - (p * q.odds - 1)) < 1e-12);
  }
  assert.equal(answer.fair_odds.home, 1 / shown.probabilities.home_win);
});

Deno.test("fairOdds: one over each market's probability", () => {
  const derived = marketsFromMatrix(scoreMatrix(1.5, 1.1, -0.05), 11);
  const odds = fairOdds(derived);
  assert.equal(odds.home, 1 / derived.probabilities.home_win);
  assert.equal(odds.btts_no, 1 / derived.markets.btts.no);
});
