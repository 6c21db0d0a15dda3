import assert from "node:assert/strict";
import { closingSnapshot, marketPrices, selectionWon } from "./alert_settlement.ts";

const ODDS = {
  x12: { home: 2, draw: 4, away: 4 },
  over_2_5: 1.8,
  under_2_5: 2.2,
  btts_yes: 1.9,
};

Deno.test("marketPrices: reads each market, null when a price is missing or unknown", () => {
  assert.deepEqual(marketPrices(ODDS, "1x2"), { home: 2, draw: 4, away: 4 });
  assert.deepEqual(marketPrices(ODDS, "totals_2_5"), { over: 1.8, under: 2.2 });
  assert.equal(marketPrices(ODDS, "btts"), null);
  assert.equal(marketPrices(ODDS, "corners"), null);
  assert.equal(marketPrices({ x12: { home: 1, draw: 4, away: 4 } }, "1x2"), null);
});

Deno.test("closingSnapshot: fair probability with the margin removed", () => {
  // Implied 0.5 + 0.25 + 0.25 = 1: no margin, fair = implied.
  assert.deepEqual(closingSnapshot(ODDS, "1x2", "home"), { price: 2, fairProbability: 0.5 });
  const over = closingSnapshot(ODDS, "totals_2_5", "over")!;
  const implied = [1 / 1.8, 1 / 2.2];
  assert.ok(Math.abs(over.fairProbability - implied[0] / (implied[0] + implied[1])) < 1e-12);
  assert.equal(closingSnapshot(ODDS, "1x2", "nobody"), null);
});

Deno.test("selectionWon: every market and selection", () => {
  const cases: [string, string, number, number, boolean | null][] = [
    ["1x2", "home", 2, 1, true],
    ["1x2", "draw", 1, 1, true],
    ["1x2", "away", 1, 1, false],
    ["totals_2_5", "over", 2, 1, true],
    ["totals_2_5", "under", 2, 0, true],
    ["btts", "yes", 1, 0, false],
    ["btts", "no", 0, 0, true],
    ["corners", "over", 1, 1, null],
  ];
  for (const [market, selection, h, a, expected] of cases) {
    assert.equal(
      selectionWon(market, selection, h, a),
      expected,
      `${market} ${selection} ${h}-${a}`,
    );
  }
});
