import assert from "node:assert/strict";
import {
  asianHandicap,
  btts,
  correctScores,
  expectedGoalsFromMatrix,
  fitMatrixTo,
  marketsFromMatrix,
  outcome1x2,
  rescaleTo1x2,
  totals,
} from "./markets.ts";
import { scoreMatrix } from "./score_matrix.ts";

/*
 * Hand-written 3 x 3 matrix with total mass 2 (so renormalisation is exercised). Rows are home
 * goals 0..2, columns away goals 0..2. Divided by 2 it reads
 *   0.10 0.05 0.02
 *   0.15 0.10 0.03
 *   0.20 0.25 0.10
 */
const RAW = new Float64Array([0.2, 0.1, 0.04, 0.3, 0.2, 0.06, 0.4, 0.5, 0.2]);
const N = 3;

function close(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);
}

Deno.test("outcome1x2: sums below, on and above the diagonal of the renormalised matrix", () => {
  // home = 0.15 + 0.20 + 0.25 = 0.60; draw = 0.10 * 3 = 0.30; away = 0.05 + 0.02 + 0.03 = 0.10
  const [h, d, a] = outcome1x2(RAW, N);
  close(h, 0.6, "home");
  close(d, 0.3, "draw");
  close(a, 0.1, "away");
});

Deno.test("totals: over/under per half-goal line", () => {
  // P(total = 0..4) = 0.10, 0.05+0.15 = 0.20, 0.02+0.10+0.20 = 0.32, 0.03+0.25 = 0.28, 0.10
  const expectedOver = [0.9, 0.7, 0.38, 0.1, 0];
  totals(RAW, N).forEach((t, k) => {
    close(t.over, expectedOver[k], `over ${t.line}`);
    close(t.over + t.under, 1, `sum ${t.line}`);
  });
  assert.throws(() => totals(RAW, N, [2]), /half-goal line/);
});

Deno.test("btts: both sides score in the cells with i >= 1 and j >= 1", () => {
  // 0.10 + 0.03 + 0.25 + 0.10 = 0.48
  const b = btts(RAW, N);
  close(b.yes, 0.48, "yes");
  close(b.no, 0.52, "no");
});

Deno.test("correctScores: most likely scores first", () => {
  const top = correctScores(RAW, N, 3);
  assert.deepEqual(top.map((c) => c.score), ["2-1", "2-0", "1-0"]);
  close(top[0].probability, 0.25, "2-1");
  close(top[1].probability, 0.2, "2-0");
  close(correctScores(RAW, N, 100).reduce((s, c) => s + c.probability, 0), 1, "all scores");
});

Deno.test("asianHandicap: win/push/lose from the home side", () => {
  // P(home - away = -2..2) = 0.02, 0.05+0.03 = 0.08, 0.30, 0.15+0.25 = 0.40, 0.20
  const lines = asianHandicap(RAW, N, [-1.5, -1, 0, 0.5, 1]);
  const expected = [
    [0.2, 0, 0.8], // -1.5: home must win by 2
    [0.2, 0.4, 0.4], // -1: win by 2 wins, by 1 pushes
    [0.6, 0.3, 0.1], // 0: draw no bet
    [0.9, 0, 0.1], // +0.5: win or draw
    [0.9, 0.08, 0.02], // +1: lose by 1 pushes
  ];
  lines.forEach((l, k) => {
    close(l.home_win, expected[k][0], `win ${l.line}`);
    close(l.push, expected[k][1], `push ${l.line}`);
    close(l.away_win, expected[k][2], `lose ${l.line}`);
  });
  assert.throws(() => asianHandicap(RAW, N, [-0.25]), /whole or half goal/);
});

Deno.test("expectedGoalsFromMatrix: mean goals per side", () => {
  // home = 1 * (0.15+0.10+0.03) + 2 * (0.20+0.25+0.10) = 1.38
  // away = 1 * (0.05+0.10+0.25) + 2 * (0.02+0.03+0.10) = 0.70
  const xg = expectedGoalsFromMatrix(RAW, N);
  close(xg.home, 1.38, "home");
  close(xg.away, 0.7, "away");
});

Deno.test("rescaleTo1x2: hits the target 1X2 and keeps the shape inside each group", () => {
  // factors on the normalised matrix: home 0.5 / 0.6, draw 0.3 / 0.3, away 0.2 / 0.1
  const out = rescaleTo1x2(RAW, N, [0.5, 0.3, 0.2]);
  const [h, d, a] = outcome1x2(out, N);
  close(h, 0.5, "home");
  close(d, 0.3, "draw");
  close(a, 0.2, "away");
  close(out[2 * N + 1], 0.25 * (0.5 / 0.6), "2-1 cell");
  close(out[0 * N + 1], 0.05 * 2, "0-1 cell");
  close(out.reduce((s, v) => s + v, 0), 1, "mass");
  const zeroAway = new Float64Array([0.5, 0, 0, 0.5]);
  assert.throws(() => rescaleTo1x2(zeroAway, 2, [0.4, 0.3, 0.3]), /no mass/);
});

Deno.test("marketsFromMatrix: every market sums to 1 on a Dixon-Coles matrix", () => {
  const n = 11;
  const m = scoreMatrix(1.6, 1.1, -0.1, n - 1);
  const r = marketsFromMatrix(m, n);
  const p = r.probabilities;
  close(p.home_win + p.draw + p.away_win, 1, "1x2");
  close(r.markets.over_under_2_5.over + r.markets.over_under_2_5.under, 1, "o/u 2.5");
  close(r.markets.btts.yes + r.markets.btts.no, 1, "btts");
  for (const l of r.markets.asian_handicap) close(l.home_win + l.push + l.away_win, 1, "ah");
  assert.equal(r.markets.totals.length, 5);
  assert.equal(r.markets.correct_scores.length, 10);
  assert.equal(r.markets.correct_scores[0].score, "1-1");
  // The truncated Poisson means are within 1e-4 of the rates; tau preserves the means.
  assert.ok(Math.abs(r.expected_goals.home - 1.6) < 1e-4, `${r.expected_goals.home}`);
  assert.ok(Math.abs(r.expected_goals.away - 1.1) < 1e-4, `${r.expected_goals.away}`);
  // Draw no bet (AH 0) equals home / (home + away) once the push is refunded.
  const dnb = r.markets.asian_handicap.find((l) => l.line === 0)!;
  close(dnb.home_win, p.home_win, "AH 0 win");
  close(dnb.push, p.draw, "AH 0 push");
});

Deno.test("markets: reject malformed matrices", () => {
  assert.throws(() => outcome1x2(new Float64Array(8), 3), /expected 3 x 3/);
  assert.throws(() => outcome1x2(new Float64Array(9), 3), /no probability mass/);
  assert.throws(() => btts(new Float64Array([1, NaN, 0, 0]), 2), /cell 1/);
});

Deno.test("fitMatrixTo: matches both the 1X2 target and the over 2.5 target", () => {
  const n = 11;
  const m = scoreMatrix(1.5, 1.1, -0.08, 10);
  const fitted = fitMatrixTo(m, n, [0.5, 0.25, 0.25], 0.6);
  const x = outcome1x2(fitted, n);
  assert.ok(Math.abs(x[0] - 0.5) < 1e-9 && Math.abs(x[1] - 0.25) < 1e-9, `${x}`);
  const [line] = totals(fitted, n, [2.5]);
  assert.ok(Math.abs(line.over - 0.6) < 1e-6, `${line.over}`);
  assert.ok(Math.abs(fitted.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  // Without a totals target it is the plain 1X2 rescale.
  assert.deepEqual(fitMatrixTo(m, n, [0.5, 0.25, 0.25]), rescaleTo1x2(m, n, [0.5, 0.25, 0.25]));
  assert.throws(() => fitMatrixTo(m, n, [0.5, 0.25, 0.25], 1), /over 2.5/);
});

Deno.test("correctScores: returns the k most likely scores in order, ties in row-major order", () => {
  const m = new Float64Array([0.1, 0.3, 0.1, 0.2, 0.05, 0.05, 0.1, 0.05, 0.05]);
  assert.deepEqual(correctScores(m, 3, 4).map((c) => c.score), ["0-1", "1-0", "0-0", "0-2"]);
  assert.deepEqual(correctScores(m, 3, 0), []);
  assert.equal(correctScores(m, 3, 100).length, 9);
});

Deno.test("markets: the shared sum/difference scratch never carries one matrix into another", () => {
  const small = totals(RAW, N);
  const big = scoreMatrix(1.6, 1.1, -0.05, 10);
  const bigMarkets = marketsFromMatrix(big, 11);
  // Another size, then the first again: every call starts from zeroed sums of its own size.
  assert.deepEqual(totals(RAW, N), small);
  assert.deepEqual(marketsFromMatrix(big, 11), bigMarkets);
  assert.deepEqual(asianHandicap(RAW, N, [0]), asianHandicap(RAW, N, [0]));
  // The answers hold no view of the scratch arrays: a later call leaves them as they were.
  const before = JSON.stringify(bigMarkets);
  marketsFromMatrix(RAW, N);
  assert.equal(JSON.stringify(bigMarkets), before);
});

Deno.test("fits return plain arrays that every market reads like a graph's Float64Array", () => {
  const m = scoreMatrix(1.4, 1.2, -0.05, 10);
  const fitted = fitMatrixTo(m, 11, [0.45, 0.27, 0.28], 0.52);
  assert.ok(Array.isArray(fitted), "a plain array, not a typed array");
  assert.deepEqual(marketsFromMatrix(fitted, 11), marketsFromMatrix(Float64Array.from(fitted), 11));
  assert.equal(correctScores(fitted, 11, 3)[0].score, correctScores(m, 11, 1)[0].score);
});

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
    const got = marketsFromMatrix(m, 11);
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
  }
});
