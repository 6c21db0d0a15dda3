/**
 * Dixon & Coles (1997) score matrix: independent Poisson goals with the low-score correction
 * tau on 0-0, 0-1, 1-0 and 1-1. This is the TypeScript reference the ONNX graph must match.
 * @module
 */

/** Number of goals per side covered by a matrix built with the default `maxGoals`. */
export const DEFAULT_MAX_GOALS = 10;

function logFactorial(k: number): number {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
}

/** Poisson probabilities P(X = k) for k = 0..maxGoals. */
export function poissonPmf(lambda: number, maxGoals = DEFAULT_MAX_GOALS): Float64Array {
  const out = new Float64Array(maxGoals + 1);
  const logLambda = Math.log(lambda);
  for (let k = 0; k <= maxGoals; k++) out[k] = Math.exp(k * logLambda - lambda - logFactorial(k));
  return out;
}

/** Dixon & Coles (1997) low-score dependence factor tau(x, y). */
export function tau(x: number, y: number, lambda: number, mu: number, rho: number): number {
  if (x === 0 && y === 0) return 1 - lambda * mu * rho;
  if (x === 0 && y === 1) return 1 + lambda * rho;
  if (x === 1 && y === 0) return 1 + mu * rho;
  if (x === 1 && y === 1) return 1 - rho;
  return 1;
}

/**
 * Score matrix P(home = i, away = j), row-major with `(maxGoals + 1)` columns, for home goal
 * rate `lambda`, away goal rate `mu` and Dixon-Coles `rho`. Not renormalised: the mass beyond
 * `maxGoals` is lost (negligible for football rates at the default of 10).
 */
export function scoreMatrix(
  lambda: number,
  mu: number,
  rho: number,
  maxGoals = DEFAULT_MAX_GOALS,
): Float64Array {
  const n = maxGoals + 1;
  const px = poissonPmf(lambda, maxGoals);
  const py = poissonPmf(mu, maxGoals);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * n + j] = px[i] * py[j] * tau(i, j, lambda, mu, rho);
  }
  return m;
}

/**
 * Clamps `rho` into the range where every Dixon-Coles tau factor stays positive for these
 * rates: max(-1/lambda, -1/mu) < rho < min(1, 1/(lambda mu)).
 */
export function clampRho(lambda: number, mu: number, rho: number): number {
  const margin = 1e-9;
  const lower = Math.max(-1 / lambda, -1 / mu) + margin;
  const upper = Math.min(1, 1 / (lambda * mu)) - margin;
  return Math.min(upper, Math.max(lower, rho));
}
