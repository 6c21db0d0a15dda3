import assert from "node:assert/strict";
import { scoreMatrix } from "../domain/score_matrix.ts";
import { marketsFromMatrix } from "./markets.ts";

/** Straightforward cell-by-cell sums, to check the distribution-based implementation. */
function naive(m: Float64Array) {
  const n = Math.round(Math.sqrt(m.length));
  let mass = 0;
  for (const p of m) mass += p;
  let home = 0, draw = 0, away = 0, over25 = 0, btts = 0, ahMinus1Win = 0, ahMinus1Push = 0;
  const cells: [string, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const p = m[i * n + j] / mass;
      if (i > j) home += p;
      else if (i === j) draw += p;
      else away += p;
      if (i + j > 2.5) over25 += p;
      if (i > 0 && j > 0) btts += p;
      if (i - j - 1 > 0) ahMinus1Win += p;
      if (i - j - 1 === 0) ahMinus1Push += p;
      cells.push([`${i}-${j}`, p]);
    }
  }
  cells.sort((a, b) => b[1] - a[1]);
  return { home, draw, away, over25, btts, ahMinus1Win, ahMinus1Push, top: cells.slice(0, 10) };
}

Deno.test("marketsFromMatrix: agrees with cell-by-cell sums", () => {
  for (const [lambda, mu, rho] of [[1.5, 1.1, -0.05], [0.4, 2.9, 0.1], [3.2, 0.3, 0]]) {
    const m = scoreMatrix(lambda, mu, rho);
    const got = marketsFromMatrix(m, undefined);
    const want = naive(m);
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 2e-6, `${a} vs ${b}`);
    close(got.probabilities.home_win, want.home);
    close(got.probabilities.draw, want.draw);
    close(got.probabilities.away_win, want.away);
    close(got.markets.over_under_2_5.over, want.over25);
    close(got.markets.btts.yes, want.btts);
    const ah = got.markets.asian_handicap.find((l) => l.line === -1)!;
    close(ah.home_win, want.ahMinus1Win);
    close(ah.push, want.ahMinus1Push);
    assert.deepEqual(got.markets.correct_scores.map((s) => s.score), want.top.map((t) => t[0]));
    assert.equal(got.value_bets.length, 0);
  }
});

Deno.test("marketsFromMatrix: value bets are fractional Kelly, capped, best edge first", () => {
  const m = scoreMatrix(2.2, 0.8, -0.05);
  const got = marketsFromMatrix(m, { home: 3.0, draw: 4.0, away: 1.2, btts_no: 5 });
  assert.ok(got.value_bets.length >= 1);
  const home = got.value_bets.find((v) => v.selection === "home")!;
  const p = got.probabilities.home_win;
  assert.ok(Math.abs(home.edge - (p * 3 - 1)) < 1e-5);
  assert.ok(Math.abs(home.kelly_fraction - Math.min(0.05, 0.25 * (p * 3 - 1) / 2)) < 1e-6);
  assert.ok(!got.value_bets.some((v) => v.selection === "away"), "no value at 1.2 on an outsider");
  for (let i = 1; i < got.value_bets.length; i++) {
    assert.ok(got.value_bets[i - 1].edge >= got.value_bets[i].edge);
  }
});
