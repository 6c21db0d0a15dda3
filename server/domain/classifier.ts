/**
 * The 1X2 classifiers SabiScore serves: standardised features, then multinomial logistic
 * regression or a one-hidden-layer perceptron, then softmax with optional temperature scaling
 * (Guo et al. 2017). This is the TypeScript reference the ONNX classifier graph must match,
 * and the JSON form training writes.
 * @module
 */
import type { Probs1x2 } from "./types.ts";

/** Standardisation and optional calibration shared by every classifier kind. */
interface ClassifierBase {
  /** Per-feature mean subtracted first. */
  mean: number[];
  /** Per-feature scale divided next (> 0). */
  scale: number[];
  /** Logits are divided by this before softmax (> 0); absent means 1. */
  temperature?: number;
}

/** Multinomial logistic regression: `softmax(z W + b)`, W is F x 3. */
export interface MlrParams extends ClassifierBase {
  kind: "mlr";
  weights: number[][];
  bias: number[];
}

/** Hidden layer of an {@link MlpParams}: `act(z W + b)`, W is F x H. */
export interface HiddenLayer {
  weights: number[][];
  bias: number[];
  activation: "tanh" | "relu";
}

/** One-hidden-layer perceptron: `softmax(act(z W1 + b1) W2 + b2)`, W2 is H x 3. */
export interface MlpParams extends ClassifierBase {
  kind: "mlp";
  hidden: HiddenLayer;
  weights: number[][];
  bias: number[];
}

/** JSON-serialisable parameters of a 1X2 classifier over F features. */
export type ClassifierParams = MlrParams | MlpParams;

function checkMatrix(name: string, m: unknown, rows: number, cols: number): void {
  if (!Array.isArray(m) || m.length !== rows) {
    throw new RangeError(`Invalid classifier: "${name}" must have ${rows} rows`);
  }
  for (const row of m) {
    if (!Array.isArray(row) || row.length !== cols || !row.every(Number.isFinite)) {
      throw new RangeError(`Invalid classifier: "${name}" rows must be ${cols} finite numbers`);
    }
  }
}

function checkVector(name: string, v: unknown, length: number, positive = false): void {
  if (
    !Array.isArray(v) || v.length !== length ||
    !v.every((x) => Number.isFinite(x) && (!positive || x > 0))
  ) {
    throw new RangeError(
      `Invalid classifier: "${name}" must be ${length} finite${
        positive ? " positive" : ""
      } numbers`,
    );
  }
}

/**
 * Checks the shapes and values of classifier parameters and returns the feature count F.
 * Throws a RangeError naming the bad field.
 */
export function checkClassifierParams(params: ClassifierParams): number {
  if (params === null || typeof params !== "object") {
    throw new RangeError("Invalid classifier: parameters must be an object");
  }
  const kind: string = params.kind;
  if (kind !== "mlr" && kind !== "mlp") {
    throw new RangeError(`Invalid classifier: unknown kind "${kind}"`);
  }
  const f = Array.isArray(params.mean) ? params.mean.length : 0;
  if (f === 0) throw new RangeError(`Invalid classifier: "mean" must be a non-empty array`);
  checkVector("mean", params.mean, f);
  checkVector("scale", params.scale, f, true);
  if (
    params.temperature !== undefined &&
    !(Number.isFinite(params.temperature) && params.temperature > 0)
  ) {
    throw new RangeError(`Invalid classifier: "temperature" must be a positive number`);
  }
  let inner = f;
  if (params.kind === "mlp") {
    const h = params.hidden;
    if (h === null || typeof h !== "object") {
      throw new RangeError(`Invalid classifier: "hidden" must be an object`);
    }
    if (h.activation !== "tanh" && h.activation !== "relu") {
      throw new RangeError(`Invalid classifier: unknown activation "${String(h.activation)}"`);
    }
    inner = Array.isArray(h.bias) ? h.bias.length : 0;
    if (inner === 0) {
      throw new RangeError(`Invalid classifier: "hidden.bias" must be a non-empty array`);
    }
    checkMatrix("hidden.weights", h.weights, f, inner);
    checkVector("hidden.bias", h.bias, inner);
  }
  checkMatrix("weights", params.weights, inner, 3);
  checkVector("bias", params.bias, 3);
  return f;
}

function affine(x: number[], w: number[][], b: number[]): number[] {
  const out = new Array<number>(b.length).fill(0);
  for (let j = 0; j < b.length; j++) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * w[i][j];
    out[j] = s + b[j];
  }
  return out;
}

/** Numerically stable softmax of three logits. */
export function softmax3(logits: number[]): Probs1x2 {
  const m = Math.max(logits[0], logits[1], logits[2]);
  const e0 = Math.exp(logits[0] - m);
  const e1 = Math.exp(logits[1] - m);
  const e2 = Math.exp(logits[2] - m);
  const s = e0 + e1 + e2;
  return [e0 / s, e1 / s, e2 / s];
}

/**
 * Logits of the classifier for one feature vector (after temperature scaling).
 * Throws a RangeError when the vector has the wrong length.
 */
export function classifierLogits(params: ClassifierParams, features: number[]): number[] {
  if (features.length !== params.mean.length) {
    throw new RangeError(
      `Classifier expects ${params.mean.length} features, got ${features.length}`,
    );
  }
  const z = features.map((x, i) => (x - params.mean[i]) / params.scale[i]);
  let logits: number[];
  if (params.kind === "mlp") {
    const act = params.hidden.activation === "tanh" ? Math.tanh : (v: number) => Math.max(0, v);
    const h = affine(z, params.hidden.weights, params.hidden.bias).map(act);
    logits = affine(h, params.weights, params.bias);
  } else {
    logits = affine(z, params.weights, params.bias);
  }
  const t = params.temperature;
  return t === undefined ? logits : logits.map((l) => l / t);
}

/** 1X2 probabilities of the classifier for one feature vector (the ONNX graph's reference). */
export function classify(params: ClassifierParams, features: number[]): Probs1x2 {
  return softmax3(classifierLogits(params, features));
}
