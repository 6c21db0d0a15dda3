import assert from "node:assert/strict";
import { closingLineValue, edge, kellyStake, marketMove } from "./staking.ts";

const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("edge: is p * odds - 1", () => {
  near(edge(0.55, 2), 0.1); // 0.55 * 2 - 1
  near(edge(0.25, 3.6), -0.1); // 0.25 * 3.6 - 1
});

Deno.test("kellyStake: quarter Kelly, capped, zero without edge", () => {
  // p = 0.55, o = 2: full Kelly (1.1 - 1) / (2 - 1) = 0.1; a quarter is 0.025.
  near(kellyStake(0.55, 2), 0.025);
  // p = 0.3, o = 4: full Kelly (1.2 - 1) / 3 = 0.0666..; half Kelly 0.0333...
  near(kellyStake(0.3, 4, { fraction: 0.5 }), 0.2 / 3 / 2);
  // p = 0.7, o = 2: full Kelly 0.4, a quarter 0.1, capped at 0.05.
  near(kellyStake(0.7, 2), 0.05);
  near(kellyStake(0.7, 2, { cap: 0.2 }), 0.1);
  assert.equal(kellyStake(0.5, 2), 0);
  assert.equal(kellyStake(0.2, 3), 0);
});

Deno.test("kellyStake: full Kelly is (p*o - 1) / (o - 1), never negative", () => {
  const full = { fraction: 1, cap: 1 };
  near(kellyStake(0.5, 2.5, full), 0.25 / 1.5);
  assert.equal(kellyStake(0.3, 2, full), 0);
});

Deno.test("closingLineValue: price taken against the fair closing probability", () => {
  // Took 2.2; the closing fair probability is 0.5 (fair price 2.0): 2.2 * 0.5 - 1 = 0.1.
  near(closingLineValue(2.2, 0.5), 0.1);
  near(closingLineValue(1.8, 0.5), -0.1);
});

Deno.test("marketMove: relative change of fair probability", () => {
  near(marketMove(0.4, 0.5), 0.25); // 0.5 / 0.4 - 1
  near(marketMove(0.5, 0.4), -0.2);
});

Deno.test("staking: rejects impossible inputs", () => {
  assert.throws(() => edge(1.2, 2), /Probability must be in \[0, 1\], got "1.2"/);
  assert.throws(() => edge(0.5, 1), /Odds must be a number greater than 1, got "1"/);
  assert.throws(() => kellyStake(0.5, Number.NaN), RangeError);
  assert.throws(() => kellyStake(0.5, 2, { fraction: 2 }), RangeError);
  assert.throws(() => kellyStake(0.5, 2, { cap: -1 }), RangeError);
  assert.throws(() => marketMove(0, 0.5), RangeError);
});
