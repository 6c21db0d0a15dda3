import assert from "node:assert/strict";
import {
  accuracy,
  binaryLogLoss,
  brier,
  calibrationBins,
  logLoss,
  rps,
  ScoreBoard,
} from "./metrics.ts";
import type { Probs1x2 } from "../../server/domain/types.ts";

const near = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

Deno.test("rps: matches hand-computed values", () => {
  // p = (0.5, 0.3, 0.2), home win: cumulative (0.5, 0.8) vs (1, 1):
  // ((0.5 - 1)^2 + (0.8 - 1)^2) / 2 = (0.25 + 0.04) / 2 = 0.145.
  near(rps([0.5, 0.3, 0.2], 0), 0.145);
  // Draw: vs (0, 1): (0.25 + 0.04) / 2 = 0.145. Away: vs (0, 0): (0.25 + 0.64) / 2 = 0.445.
  near(rps([0.5, 0.3, 0.2], 1), 0.145);
  near(rps([0.5, 0.3, 0.2], 2), 0.445);
  // Constantinou & Fenton (2012) point: a near miss scores better than a far miss.
  assert.ok(rps([0.1, 0.8, 0.1], 0) < rps([0.1, 0.1, 0.8], 0));
  assert.equal(rps([1, 0, 0], 0), 0);
  assert.equal(rps([0, 0, 1], 0), 1);
});

Deno.test("logLoss, brier, accuracy: hand-computed values", () => {
  const p: Probs1x2 = [0.5, 0.3, 0.2];
  near(logLoss(p, 1), -Math.log(0.3)); // 1.2039728
  // Brier, draw: (0.5)^2 + (0.3 - 1)^2 + (0.2)^2 = 0.25 + 0.49 + 0.04 = 0.78.
  near(brier(p, 1), 0.78);
  assert.equal(accuracy(p, 0), 1);
  assert.equal(accuracy(p, 2), 0);
  // Ties go to the first outcome.
  assert.equal(accuracy([0.4, 0.4, 0.2], 0), 1);
  assert.equal(accuracy([0.4, 0.4, 0.2], 1), 0);
  near(logLoss([1, 0, 0], 2), -Math.log(1e-15));
});

Deno.test("binaryLogLoss: uses p or 1 - p", () => {
  near(binaryLogLoss(0.8, true), -Math.log(0.8));
  near(binaryLogLoss(0.8, false), -Math.log(0.2));
  assert.throws(() => binaryLogLoss(1.5, true), RangeError);
});

Deno.test("metrics: reject malformed forecasts", () => {
  assert.throws(() => rps([0.5, 0.5] as unknown as Probs1x2, 0), RangeError);
  assert.throws(() => rps([0.5, Number.NaN, 0.5], 0), RangeError);
  assert.throws(() => brier([0.5, 0.3, 0.2], 3 as 0), /Outcome must be 0, 1 or 2, got "3"/);
});

Deno.test("ScoreBoard: averages per-match scores", () => {
  const board = new ScoreBoard();
  assert.ok(Number.isNaN(board.means().rps));
  board.add([0.5, 0.3, 0.2], 0); // rps 0.145, brier 0.25+0.09+0.04 = 0.38, hit
  board.add([0.5, 0.3, 0.2], 2); // rps 0.445, brier 0.25+0.09+0.64 = 0.98, miss
  const m = board.means();
  assert.equal(m.count, 2);
  near(m.rps, (0.145 + 0.445) / 2);
  near(m.brier, (0.38 + 0.98) / 2);
  near(m.accuracy, 0.5);
  near(m.logLoss, (-Math.log(0.5) - Math.log(0.2)) / 2);
  assert.deepEqual(board.perMatch().accuracy, [1, 0]);
});

Deno.test("calibrationBins: groups by predicted probability", () => {
  const bins = calibrationBins([
    { p: 0.05, hit: false },
    { p: 0.15, hit: false },
    { p: 0.12, hit: true },
    { p: 0.95, hit: true },
    { p: 1, hit: true },
  ]);
  assert.equal(bins.length, 3);
  assert.deepEqual(bins[0], {
    bin_lower: 0,
    bin_upper: 0.1,
    mean_predicted: 0.05,
    observed: 0,
    count: 1,
  });
  near(bins[1].mean_predicted, 0.135);
  assert.equal(bins[1].observed, 0.5);
  assert.equal(bins[1].count, 2);
  // p = 1 falls in the last bin.
  assert.equal(bins[2].bin_upper, 1);
  assert.equal(bins[2].count, 2);
  near(bins[2].mean_predicted, 0.975);
  assert.equal(calibrationBins([{ p: 0.5, hit: true }], 4)[0].bin_lower, 0.5);
  assert.throws(() => calibrationBins([], 0), RangeError);
  assert.throws(() => calibrationBins([{ p: 2, hit: true }]), RangeError);
});
