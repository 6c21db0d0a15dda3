/**
 * Binary logistic model in JSON form, used to calibrate and blend over/under 2.5
 * probabilities. Trained in `training/ensemble/logistic.ts`, applied when serving.
 * @module
 */

/** p = sigmoid(bias + sum w_j (x_j - mean_j) / scale_j). */
export interface LogisticParams {
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

/** Probability the model gives for `x`. */
export function logisticProbability(params: LogisticParams, x: ArrayLike<number>): number {
  let s = params.bias;
  for (let j = 0; j < params.weights.length; j++) {
    s += params.weights[j] * (x[j] - params.mean[j]) / params.scale[j];
  }
  return 1 / (1 + Math.exp(-s));
}

/** log(p / (1 - p)), clamped away from 0 and 1. */
export function logit(p: number): number {
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return Math.log(q / (1 - q));
}
