import assert from "node:assert/strict";
import { classifierLogits, type ClassifierParams, classify, softmax3 } from "./classifier.ts";

Deno.test("softmax3: stable for large logits and sums to one", () => {
  const p = softmax3([1000, 1000, 999]);
  assert.ok(Math.abs(p[0] - p[1]) < 1e-15);
  assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-15);
});

Deno.test("classify: standardises, applies layers and temperature", () => {
  const mlr: ClassifierParams = {
    kind: "mlr",
    mean: [1],
    scale: [2],
    weights: [[1, 0, -1]],
    bias: [0, 0.5, 0],
    temperature: 2,
  };
  // z = (5 - 1) / 2 = 2 -> logits [2, 0.5, -2] / 2
  assert.deepEqual(classifierLogits(mlr, [5]), [1, 0.25, -1]);
  const mlp: ClassifierParams = {
    kind: "mlp",
    mean: [0, 0],
    scale: [1, 1],
    hidden: { weights: [[1, -1], [1, 1]], bias: [0, 0], activation: "relu" },
    weights: [[1, 0, 0], [0, 0, 1]],
    bias: [0, 0, 0],
  };
  // h = relu([3 + 1, -3 + 1]) = [4, 0]
  assert.deepEqual(classifierLogits(mlp, [3, 1]), [4, 0, 0]);
  const p = classify(mlp, [3, 1]);
  assert.ok(p[0] > 0.96 && Math.abs(p[1] - p[2]) < 1e-15);
  assert.throws(() => classify(mlp, [1]), /expects 2 features, got 1/);
});
