/**
 * The ONNX graphs SabiScore serves, built from TypeScript: the Dixon-Coles score matrix and the
 * 1X2 classifiers. Every tensor is float64 so the graphs match the TypeScript references
 * (`server/domain/score_matrix.ts`, `server/domain/classifier.ts`) to 1e-6 or better.
 * @module
 */
import { checkClassifierParams, type ClassifierParams } from "../../server/domain/classifier.ts";
import { DEFAULT_MAX_GOALS } from "../../server/domain/score_matrix.ts";
import { GraphBuilder, type OnnxModel } from "./graph_builder.ts";

export { type OnnxModel, serializeModel } from "./graph_builder.ts";

/** Input and output names of the score-matrix graph. */
export const SCORE_MATRIX_IO = { rates: "rates", rho: "rho", matrix: "matrix" } as const;

/** Input and output names of the classifier graphs. */
export const CLASSIFIER_IO = { features: "features", probabilities: "probabilities" } as const;

/** Options of {@link scoreMatrixGraph}. */
export interface ScoreMatrixGraphOptions {
  /**
   * Highest goal count per side; the matrix is `(maxGoals + 1)` square.
   * @default 10
   */
  maxGoals?: number;
}

function logFactorials(n: number): number[] {
  // Same summation as the reference so the constants are bit-identical.
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    out.push(s);
  }
  return out;
}

/**
 * Dixon & Coles (1997) score matrix as an ONNX graph.
 *
 * Inputs: `rates` double [N, 2] holding (lambda, mu) and `rho` double [N, 1]. Output: `matrix`
 * double [N, n, n] with n = maxGoals + 1, P(home = i, away = j) without renormalisation, exactly
 * as `scoreMatrix(lambda, mu, rho, maxGoals)`. Poisson pmfs come from
 * exp(k log(l) - l - log k!) with constant k and log k!; the tau correction on 0-0, 0-1, 1-0 and
 * 1-1 is a [N, 4] vector of corrections times a constant one-hot [4, n*n] mask.
 */
export function scoreMatrixGraph(options: ScoreMatrixGraphOptions = {}): OnnxModel {
  const maxGoals = options.maxGoals ?? DEFAULT_MAX_GOALS;
  if (!Number.isInteger(maxGoals) || maxGoals < 1 || maxGoals > 30) {
    throw new RangeError(`Invalid maxGoals "${maxGoals}": expected an integer in 1..30`);
  }
  const n = maxGoals + 1;
  const g = new GraphBuilder();
  const rates = g.input(SCORE_MATRIX_IO.rates, ["N", 2]);
  const rho = g.input(SCORE_MATRIX_IO.rho, ["N", 1]);

  const k = g.constant("k", [1, n], Array.from({ length: n }, (_, i) => i));
  const logFact = g.constant("log_factorial", [1, n], logFactorials(n));
  const lambda = g.op("Gather", [rates, g.int64("idx_home", [0])], { axis: 1 }); // [N,1]
  const mu = g.op("Gather", [rates, g.int64("idx_away", [1])], { axis: 1 }); // [N,1]

  const pmf = (rate: string) => {
    const kLog = g.op("Mul", [k, g.op("Log", [rate])]); // k * log(l), [N,n]
    return g.op("Exp", [g.op("Sub", [g.op("Sub", [kLog, rate]), logFact])]);
  };
  const px = g.op("Reshape", [pmf(lambda), g.int64("shape_col", [-1, n, 1])]); // [N,n,1]
  const py = g.op("Reshape", [pmf(mu), g.int64("shape_row", [-1, 1, n])]); // [N,1,n]
  const outer = g.op("Mul", [px, py]); // [N,n,n]

  // tau - 1 at 0-0, 0-1, 1-0, 1-1: -l*mu*rho, l*rho, mu*rho, -rho.
  const negRho = g.op("Neg", [rho]);
  const c00 = g.op("Neg", [g.op("Mul", [g.op("Mul", [lambda, mu]), rho])]);
  const c01 = g.op("Mul", [lambda, rho]);
  const c10 = g.op("Mul", [mu, rho]);
  const corrections = g.op("Concat", [c00, c01, c10, negRho], { axis: 1 }); // [N,4]
  const mask = new Array<number>(4 * n * n).fill(0);
  [0 * n + 0, 0 * n + 1, 1 * n + 0, 1 * n + 1].forEach((cell, row) => {
    mask[row * n * n + cell] = 1;
  });
  const spread = g.op("MatMul", [corrections, g.constant("tau_mask", [4, n * n], mask)]);
  const tau = g.op("Add", [g.constant("one", [1], [1]), spread]); // [N,n*n]
  const tau3 = g.op("Reshape", [tau, g.int64("shape_sq", [-1, n, n])]);
  g.output(SCORE_MATRIX_IO.matrix, ["N", n, n], g.op("Mul", [outer, tau3]));
  return g.finish({
    name: "dixon_coles_score_matrix",
    doc: "Dixon & Coles (1997) score matrix: rates [N,2] (lambda, mu), rho [N,1] -> [N,n,n]",
    metadata: { max_goals: String(maxGoals) },
  });
}

/**
 * A 1X2 classifier as an ONNX graph: `features` double [N, F] -> `probabilities` double [N, 3],
 * matching `classify(params, features)`. Throws a RangeError on malformed parameters.
 */
export function classifierGraph(params: ClassifierParams): OnnxModel {
  const f = checkClassifierParams(params);
  const g = new GraphBuilder();
  const x = g.input(CLASSIFIER_IO.features, ["N", f]);
  const z = g.op("Div", [
    g.op("Sub", [x, g.constant("mean", [f], params.mean)]),
    g.constant("scale", [f], params.scale),
  ]);
  let top = z;
  let width = f;
  if (params.kind === "mlp") {
    const h = params.hidden;
    const hw = h.bias.length;
    const pre = g.op("Add", [
      g.op("MatMul", [z, g.constant("hidden_weights", [f, hw], h.weights.flat())]),
      g.constant("hidden_bias", [hw], h.bias),
    ]);
    top = g.op(h.activation === "tanh" ? "Tanh" : "Relu", [pre]);
    width = hw;
  }
  let logits = g.op("Add", [
    g.op("MatMul", [top, g.constant("weights", [width, 3], params.weights.flat())]),
    g.constant("bias", [3], params.bias),
  ]);
  if (params.temperature !== undefined) {
    logits = g.op("Div", [logits, g.constant("temperature", [1], [params.temperature])]);
  }
  g.output(CLASSIFIER_IO.probabilities, ["N", 3], g.op("Softmax", [logits], { axis: -1 }));
  return g.finish({
    name: `classifier_${params.kind}`,
    doc: `1X2 ${params.kind} classifier: features [N,${f}] -> probabilities [N,3]`,
    metadata: { kind: params.kind, features: String(f) },
  });
}
