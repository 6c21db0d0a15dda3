import assert from "node:assert/strict";
import { fairOdds, pricedSelections } from "./market_answer.ts";
import { marketsFromMatrix } from "./markets.ts";
import { scoreMatrix } from "./score_matrix.ts";
import { findValueBets } from "./value_bets.ts";

Deno.test("pricedSelections: value bets of a matrix's markets are fractional Kelly, capped, best edge first", () => {
  const m = scoreMatrix(2.2, 0.8, -0.05);
  const derived = marketsFromMatrix(m, 11);
  const p = derived.probabilities.home_win;
  const selections = pricedSelections({ home: 3.0, draw: 4.0, away: 1.2, btts_no: 5 }, {
    outcome: [p, derived.probabilities.draw, derived.probabilities.away_win],
    overUnder25: () => derived.markets.over_under_2_5,
    btts: () => derived.markets.btts,
  });
  const got = { value_bets: findValueBets(selections, 0.02) };
  assert.ok(got.value_bets.length >= 1);
  const home = got.value_bets.find((v) => v.selection === "home")!;
  assert.ok(Math.abs(home.edge - (p * 3 - 1)) < 1e-12);
  assert.ok(Math.abs(home.kelly_fraction - Math.min(0.05, 0.25 * (p * 3 - 1) / 2)) < 1e-12);
  assert.ok(!got.value_bets.some((v) => v.selection === "away"), "no value at 1.2 on an outsider");
  for (let i = 1; i < got.value_bets.length; i++) {
    assert.ok(got.value_bets[i - 1].edge >= got.value_bets[i].edge);
  }
});

Deno.test("fairOdds: one over each market's probability", () => {
  const derived = marketsFromMatrix(scoreMatrix(1.5, 1.1, -0.05), 11);
  const odds = fairOdds(derived);
  assert.equal(odds.home, 1 / derived.probabilities.home_win);
  assert.equal(odds.btts_no, 1 / derived.markets.btts.no);
});
