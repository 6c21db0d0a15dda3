/**
 * Multinomial logistic regression for 1X2, trained by L-BFGS on the weighted log-likelihood
 * with an L2 penalty on the weights (not the biases). Features are standardised first and the
 * standardisation is part of the exported {@link MlrParams}, so the ONNX graph and the
 * TypeScript reference apply it identically.
 * @module
 */
import type { MlrParams } from "../../server/domain/classifier.ts";
import type { Outcome } from "../../server/domain/types.ts";
import { minimize } from "../dixon_coles/lbfgs.ts";

/** One training row. */
export interface MlrRow {
  features: ArrayLike<number>;
  outcome: Outcome;
  /** Sample weight (e.g. time decay). @default {1} */
  weight?: number;
}

/** Options of {@link trainMlr}. */
export interface TrainMlrOptions {
  /**
   * L2 penalty on the standardised weights, per unit of total sample weight.
   * @default {0.001}
   */
  l2?: number;
  /** @default {300} */
  maxIterations?: number;
}

function standardisation(rows: readonly MlrRow[], f: number) {
  const mean = new Array<number>(f).fill(0);
  const scale = new Array<number>(f).fill(0);
  for (const r of rows) for (let j = 0; j < f; j++) mean[j] += r.features[j];
  for (let j = 0; j < f; j++) mean[j] /= rows.length;
  for (const r of rows) for (let j = 0; j < f; j++) scale[j] += (r.features[j] - mean[j]) ** 2;
  for (let j = 0; j < f; j++) {
    const sd = Math.sqrt(scale[j] / rows.length);
    scale[j] = sd > 1e-9 ? sd : 1;
  }
  return { mean, scale };
}

/**
 * Fits a multinomial logistic regression. Parameters are laid out as W (F x 3, row-major)
 * followed by the 3 biases. Throws a RangeError on an empty training set.
 */
export function trainMlr(rows: readonly MlrRow[], options: TrainMlrOptions = {}): MlrParams {
  const { l2 = 0.001, maxIterations = 300 } = options;
  if (rows.length === 0) throw new RangeError("Cannot train a classifier on zero rows");
  const f = rows[0].features.length;
  const { mean, scale } = standardisation(rows, f);
  const n = rows.length;
  const z = new Float64Array(n * f);
  const y = new Uint8Array(n);
  const w = new Float64Array(n);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    for (let j = 0; j < f; j++) z[i * f + j] = (r.features[j] - mean[j]) / scale[j];
    y[i] = r.outcome;
    w[i] = r.weight ?? 1;
    totalWeight += w[i];
  }
  const dim = f * 3 + 3;
  const objective = (x: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const logits = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const off = i * f;
      let max = -Infinity;
      for (let k = 0; k < 3; k++) {
        let s = x[f * 3 + k];
        for (let j = 0; j < f; j++) s += z[off + j] * x[j * 3 + k];
        logits[k] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += Math.exp(logits[k] - max);
      const logSum = max + Math.log(sum);
      loss -= w[i] * (logits[y[i]] - logSum);
      for (let k = 0; k < 3; k++) {
        const g = w[i] * (Math.exp(logits[k] - logSum) - (k === y[i] ? 1 : 0));
        grad[f * 3 + k] += g;
        for (let j = 0; j < f; j++) grad[j * 3 + k] += g * z[off + j];
      }
    }
    for (let p = 0; p < dim; p++) grad[p] /= totalWeight;
    loss /= totalWeight;
    for (let p = 0; p < f * 3; p++) {
      loss += 0.5 * l2 * x[p] * x[p];
      grad[p] += l2 * x[p];
    }
    return loss;
  };
  const result = minimize(objective, new Float64Array(dim), { maxIterations, tolerance: 1e-8 });
  const weights: number[][] = [];
  for (let j = 0; j < f; j++) weights.push([0, 1, 2].map((k) => result.x[j * 3 + k]));
  const bias = [0, 1, 2].map((k) => result.x[f * 3 + k]);
  return { kind: "mlr", mean, scale, weights, bias };
}
