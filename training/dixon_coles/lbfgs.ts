/**
 * Limited-memory BFGS minimiser (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4
 * two-loop recursion) with a strong-Wolfe line search (Alg. 3.5 / 3.6). No dependencies.
 * @module
 */

/**
 * An objective: returns f(x) and writes the gradient into `grad`. It may return a non-finite
 * value (e.g. `Infinity` outside the domain); the line search then shortens the step.
 */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link minimize}. */
export interface MinimizeOptions {
  /**
   * Maximum number of L-BFGS iterations (line searches).
   * @default {200}
   */
  maxIterations?: number;
  /**
   * Converged when the largest absolute gradient component is at most this. Scale the
   * objective (e.g. divide a log-likelihood by the number of observations) to suit it.
   * @default {1e-7}
   */
  tolerance?: number;
  /**
   * Also converged when an iteration lowers f by less than this, relative to max(1, |f|).
   * @default {1e-13}
   */
  functionTolerance?: number;
  /**
   * Number of (s, y) correction pairs kept.
   * @default {8}
   */
  memory?: number;
}

/** Result of {@link minimize}. */
export interface MinimizeResult {
  /** The minimiser found (a new array; `x0` is not modified). */
  x: Float64Array;
  /** f(x). */
  value: number;
  /** Gradient at x. */
  gradient: Float64Array;
  /** Iterations (line searches) performed. */
  iterations: number;
  /** Objective evaluations, line searches included. */
  evaluations: number;
  /** Whether a convergence test passed (otherwise the iteration limit or a failed search). */
  converged: boolean;
  /** Why the loop stopped. */
  reason: "gradient" | "function" | "maxIterations" | "lineSearch";
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_BRACKET = 30;
const MAX_ZOOM = 40;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m || v !== v) m = v;
  }
  return m;
}

/** Evaluates f at x + alpha d into (xt, gt); counts evaluations. */
class LineFunction {
  evaluations = 0;
  #f: Objective;
  #x: Float64Array;
  #d: Float64Array;
  xt: Float64Array;
  gt: Float64Array;
  constructor(f: Objective, x: Float64Array, d: Float64Array) {
    this.#f = f;
    this.#x = x;
    this.#d = d;
    this.xt = new Float64Array(x.length);
    this.gt = new Float64Array(x.length);
  }
  /** Returns [f, directional derivative]. */
  at(alpha: number): [number, number] {
    const x = this.#x, d = this.#d, xt = this.xt;
    for (let i = 0; i < x.length; i++) xt[i] = x[i] + alpha * d[i];
    this.evaluations++;
    const value = this.#f(xt, this.gt);
    return [value, Number.isFinite(value) ? dot(this.gt, d) : NaN];
  }
}

/** Safeguarded quadratic interpolation between lo and hi (Nocedal & Wright section 3.5). */
function interpolate(lo: number, flo: number, dlo: number, hi: number, fhi: number): number {
  const delta = hi - lo;
  const lower = Math.min(lo, hi) + 0.1 * Math.abs(delta);
  const upper = Math.max(lo, hi) - 0.1 * Math.abs(delta);
  if (Number.isFinite(fhi)) {
    const c = (fhi - flo - dlo * delta) / (delta * delta);
    if (c > 0) {
      const t = lo - dlo / (2 * c);
      if (t >= lower && t <= upper) return t;
      return Math.min(upper, Math.max(lower, t));
    }
  } else {
    // Outside the domain: retreat fast toward the good end.
    return lo + 0.25 * delta;
  }
  return lo + 0.5 * delta;
}

/**
 * Strong-Wolfe line search. Returns the accepted step with phi.xt/phi.gt holding that point,
 * or 0 if no acceptable step was found.
 */
function wolfeSearch(phi: LineFunction, f0: number, d0: number, alpha0: number): [number, number] {
  let prev = 0, fPrev = f0, dPrev = d0;
  let alpha = alpha0;
  for (let i = 0; i < MAX_BRACKET; i++) {
    const [fa, da] = phi.at(alpha);
    if (!Number.isFinite(fa) || fa > f0 + C1 * alpha * d0 || (i > 0 && fa >= fPrev)) {
      return zoom(phi, f0, d0, prev, fPrev, dPrev, alpha, fa);
    }
    if (Math.abs(da) <= -C2 * d0) return [alpha, fa];
    if (da >= 0) return zoom(phi, f0, d0, alpha, fa, da, prev, fPrev);
    prev = alpha;
    fPrev = fa;
    dPrev = da;
    alpha *= 2;
  }
  if (prev > 0) return [prev, phi.at(prev)[0]];
  return [0, f0];
}

function zoom(
  phi: LineFunction,
  f0: number,
  d0: number,
  lo: number,
  flo: number,
  dlo: number,
  hi: number,
  fhi: number,
): [number, number] {
  for (let i = 0; i < MAX_ZOOM; i++) {
    const alpha = interpolate(lo, flo, dlo, hi, fhi);
    const [fa, da] = phi.at(alpha);
    if (!Number.isFinite(fa) || fa > f0 + C1 * alpha * d0 || fa >= flo) {
      hi = alpha;
      fhi = fa;
    } else {
      if (Math.abs(da) <= -C2 * d0) return [alpha, fa];
      if (da * (hi - lo) >= 0) {
        hi = lo;
        fhi = flo;
      }
      lo = alpha;
      flo = fa;
      dlo = da;
    }
    if (Math.abs(hi - lo) < 1e-16 * Math.max(1, Math.abs(lo))) break;
  }
  // Interval collapsed: accept lo if it decreased f (Armijo holds for it), else fail.
  if (lo > 0) {
    const [fa] = phi.at(lo);
    return [lo, fa];
  }
  return [0, f0];
}

/**
 * Minimises `f` from `x0` with L-BFGS and a strong-Wolfe line search.
 *
 * @example
 * ```ts
 * const r = minimize((x, g) => { g[0] = 2 * (x[0] - 3); return (x[0] - 3) ** 2; },
 *   new Float64Array([0]));
 * // r.x[0] ~ 3
 * ```
 */
export function minimize(
  f: Objective,
  x0: Float64Array,
  options: MinimizeOptions = {},
): MinimizeResult {
  const {
    maxIterations = 200,
    tolerance = 1e-7,
    functionTolerance = 1e-13,
    memory = 8,
  } = options;
  if (!(memory >= 1)) throw new RangeError(`Invalid L-BFGS memory "${memory}"`);
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  if (!Number.isFinite(fx)) throw new RangeError(`Objective is not finite at the start: "${fx}"`);

  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const RHO: number[] = [];
  const alphas = new Float64Array(memory);
  const d = new Float64Array(n);
  let iterations = 0;
  let reason: MinimizeResult["reason"] = "maxIterations";

  while (true) {
    if (maxAbs(g) <= tolerance) {
      reason = "gradient";
      break;
    }
    if (iterations >= maxIterations) break;

    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = RHO[j] * dot(S[j], d);
      alphas[j] = a;
      const y = Y[j];
      for (let i = 0; i < n; i++) d[i] -= a * y[i];
    }
    if (k > 0) {
      const gamma = dot(S[k - 1], Y[k - 1]) / dot(Y[k - 1], Y[k - 1]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const b = RHO[j] * dot(Y[j], d);
      const s = S[j];
      const c = alphas[j] - b;
      for (let i = 0; i < n; i++) d[i] += c * s[i];
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (lost curvature): restart from steepest descent.
      S.length = Y.length = RHO.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
    }
    const alpha0 = S.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;

    const phi = new LineFunction(f, x, d);
    const [alpha, fNew] = wolfeSearch(phi, fx, slope, alpha0);
    evaluations += phi.evaluations;
    iterations++;
    if (alpha === 0) {
      if (S.length > 0) {
        // Retry once from steepest descent before giving up.
        S.length = Y.length = RHO.length = 0;
        continue;
      }
      reason = "lineSearch";
      break;
    }

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = phi.xt[i] - x[i];
      y[i] = phi.gt[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === memory) {
        S.shift();
        Y.shift();
        RHO.shift();
      }
      S.push(s);
      Y.push(y);
      RHO.push(1 / sy);
    }
    const decrease = fx - fNew;
    x = phi.xt;
    g = phi.gt;
    fx = fNew;
    if (decrease <= functionTolerance * Math.max(1, Math.abs(fx))) {
      reason = maxAbs(g) <= tolerance ? "gradient" : "function";
      break;
    }
  }
  return {
    x,
    value: fx,
    gradient: g,
    iterations,
    evaluations,
    converged: reason === "gradient" || reason === "function",
    reason,
  };
}
