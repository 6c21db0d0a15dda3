import assert from "node:assert/strict";
import { fairProbabilities } from "../../server/domain/margins.ts";
import { blendFair, MARGIN_REMOVALS, marketFair } from "./fair.ts";

const close = (a: readonly number[], b: readonly number[], tol = 1e-9) =>
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < tol, `${a} vs ${b}`));

const BOOKS = [
  { book: "B365", prices: [1.6, 4, 5] },
  { book: "PS", prices: [1.7, 4.1, 5.3] },
  { book: "WH", prices: [1.55, 4.2, 5.5] },
];

Deno.test("marketFair: Pinnacle's de-margined price when Pinnacle quoted, by every method", () => {
  for (const method of MARGIN_REMOVALS) {
    const fair = marketFair(BOOKS, method)!;
    assert.equal(fair.source, "pinnacle");
    close(fair.probs, fairProbabilities([1.7, 4.1, 5.3], method));
    assert.ok(Math.abs(fair.probs.reduce((a, b) => a + b, 0) - 1) < 1e-12, method);
  }
});

Deno.test("marketFair: known values of Shin, power and normalising", () => {
  const books = [{ book: "PS", prices: [1.6, 4, 5] }];
  close(marketFair(books, "normalise")!.probs, [0.625 / 1.075, 0.25 / 1.075, 0.2 / 1.075]);
  close(marketFair(books, "power")!.probs, [0.6014416849, 0.2232145690, 0.1753437461]);
  close(marketFair(books, "shin")!.probs, [0.5951715907, 0.2268989936, 0.1779294158]);
});

Deno.test("marketFair: without Pinnacle, the mean of every book's fair probabilities", () => {
  const others = BOOKS.filter((b) => b.book !== "PS");
  const fair = marketFair(others, "power")!;
  assert.equal(fair.source, "consensus");
  const a = fairProbabilities(others[0].prices, "power"),
    b = fairProbabilities(others[1].prices, "power");
  close(fair.probs, a.map((x, i) => (x + b[i]) / 2));
  assert.ok(Math.abs(fair.probs.reduce((s, x) => s + x, 0) - 1) < 1e-12);
  assert.equal(marketFair([], "shin"), undefined);
});

Deno.test("blendFair: weights the model and keeps a distribution", () => {
  close(blendFair([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], 0.25), [0.425, 0.3, 0.275]);
  assert.throws(() => blendFair([0.5, 0.5], [0.5, 0.5], 1.5), /Model weight must be in \[0, 1\]/);
});
