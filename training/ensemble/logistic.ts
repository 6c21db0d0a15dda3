/**
 * Binary logistic regression with standardised inputs and an L2 penalty, trained by L-BFGS.
 * Used to calibrate and blend over/under 2.5 probabilities.
 * @module
 */
import type { LogisticParams } from "../../server/domain/logistic.ts";
import { minimize } from "../dixon_coles/lbfgs.ts";

/** Fits `P(y) = sigmoid(...)` to rows of features and outcomes. */
export function trainLogistic(
  rows: readonly { x: ArrayLike<number>; y: boolean }[],
  options: { l2?: number } = {},
): LogisticParams {
  const { l2 = 0.001 } = options;
  if (rows.length === 0) throw new RangeError("Cannot train a classifier on zero rows");
  const f = rows[0].x.length;
  const mean = new Array<number>(f).fill(0);
  const scale = new Array<number>(f).fill(0);
  for (const r of rows) for (let j = 0; j < f; j++) mean[j] += r.x[j] / rows.length;
  for (const r of rows) for (let j = 0; j < f; j++) scale[j] += (r.x[j] - mean[j]) ** 2;
  for (let j = 0; j < f; j++) {
    const sd = Math.sqrt(scale[j] / rows.length);
    scale[j] = sd > 1e-9 ? sd : 1;
  }
  const z = rows.map((r) => Array.from(r.x, (v, j) => (v - mean[j]) / scale[j]));
  const n = rows.length;
  const result = minimize(
    (w, g) => {
      g.fill(0);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        let s = w[f];
        for (let j = 0; j < f; j++) s += w[j] * z[i][j];
        const p = 1 / (1 + Math.exp(-s));
        const y = rows[i].y ? 1 : 0;
        loss -= y ? Math.log(Math.max(p, 1e-15)) : Math.log(Math.max(1 - p, 1e-15));
        const d = p - y;
        for (let j = 0; j < f; j++) g[j] += d * z[i][j];
        g[f] += d;
      }
      for (let j = 0; j <= f; j++) g[j] /= n;
      loss /= n;
      for (let j = 0; j < f; j++) {
        loss += 0.5 * l2 * w[j] * w[j];
        g[j] += l2 * w[j];
      }
      return loss;
    },
    new Float64Array(f + 1),
    { tolerance: 1e-8 },
  );
  return { mean, scale, weights: Array.from(result.x.subarray(0, f)), bias: result.x[f] };
}
