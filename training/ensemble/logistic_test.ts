import assert from "node:assert/strict";
import { mulberry32 } from "../dixon_coles/simulate.ts";
import { logisticProbability } from "../../server/domain/logistic.ts";
import { trainLogistic } from "./logistic.ts";

Deno.test("trainLogistic: recovers a known logistic relationship", () => {
  const rand = mulberry32(3);
  const rows = [];
  for (let i = 0; i < 8000; i++) {
    const x = [rand() * 4 - 2];
    const p = 1 / (1 + Math.exp(-(0.5 + 1.5 * x[0])));
    rows.push({ x, y: rand() < p });
  }
  const params = trainLogistic(rows, { l2: 0 });
  for (const x of [-1.5, 0, 1]) {
    const truth = 1 / (1 + Math.exp(-(0.5 + 1.5 * x)));
    assert.ok(Math.abs(logisticProbability(params, [x]) - truth) < 0.03, `${x}`);
  }
});
