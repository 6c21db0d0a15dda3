import assert from "node:assert/strict";
import { classify } from "../../server/domain/classifier.ts";
import type { Outcome } from "../../server/domain/types.ts";
import { trainMlr } from "./mlr.ts";

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("trainMlr: recovers the class probabilities of a known softmax model", () => {
  const rand = mulberry32(7);
  // True model on raw features: logits = [2x0 - x1, 0, -2x0 + 0.5x1] + [0.3, 0, -0.1].
  const rows = [];
  for (let i = 0; i < 6000; i++) {
    const x = [rand() * 2 - 1, rand() * 2 - 1];
    const logits = [2 * x[0] - x[1] + 0.3, 0, -2 * x[0] + 0.5 * x[1] - 0.1];
    const e = logits.map(Math.exp);
    const s = e[0] + e[1] + e[2];
    const u = rand();
    const outcome: Outcome = u < e[0] / s ? 0 : u < (e[0] + e[1]) / s ? 1 : 2;
    rows.push({ features: x, outcome });
  }
  const params = trainMlr(rows, { l2: 1e-5 });
  for (const x of [[0, 0], [0.8, -0.5], [-0.7, 0.9]]) {
    const logits = [2 * x[0] - x[1] + 0.3, 0, -2 * x[0] + 0.5 * x[1] - 0.1];
    const e = logits.map(Math.exp);
    const s = e[0] + e[1] + e[2];
    const p = classify(params, x);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(p[k] - e[k] / s) < 0.04, `${x} ${k}: ${p[k]}`);
  }
});

Deno.test("trainMlr: a constant feature gets scale 1 and the base rates are learned", () => {
  const rows = [];
  for (let i = 0; i < 100; i++) {
    rows.push({ features: [1], outcome: (i < 50 ? 0 : i < 75 ? 1 : 2) as Outcome });
  }
  const params = trainMlr(rows);
  assert.equal(params.scale[0], 1);
  const p = classify(params, [1]);
  assert.ok(Math.abs(p[0] - 0.5) < 1e-3 && Math.abs(p[1] - 0.25) < 1e-3);
});

Deno.test("trainMlr: refuses an empty training set", () => {
  assert.throws(() => trainMlr([]), /zero rows/);
});
