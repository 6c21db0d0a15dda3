import assert from "node:assert/strict";
import { findValueBets } from "./value_bets.ts";

Deno.test("findValueBets: keeps edges above the threshold, largest first, capped stakes", () => {
  const bets = findValueBets(
    [
      { market: "1x2", selection: "home", odds: 2.2, probability: 0.5 }, // edge 0.10
      { market: "1x2", selection: "draw", odds: 3.0, probability: 0.34 }, // edge 0.02
      { market: "1x2", selection: "away", odds: 3.0, probability: 0.6 }, // edge 0.80
      { market: "btts", selection: "yes", odds: 1.8, probability: 0.5 }, // edge -0.10
    ],
    0.03,
    { fraction: 0.25, cap: 0.05 },
  );
  assert.deepEqual(bets.map((b) => b.selection), ["away", "home"]);
  assert.ok(Math.abs(bets[0].edge - 0.8) < 1e-12);
  assert.equal(bets[0].kelly_fraction, 0.05); // a quarter of 0.4 is 0.1, capped at 0.05
  assert.ok(Math.abs(bets[1].kelly_fraction - 0.25 * (0.1 / 1.2)) < 1e-12);
});
