import assert from "node:assert/strict";
import { minimize } from "./lbfgs.ts";

function rosenbrock(x: Float64Array, g: Float64Array): number {
  // Extended Rosenbrock: sum over pairs of 100 (x2 - x1^2)^2 + (1 - x1)^2, minimum 0 at all ones.
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length; i += 2) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * a * x[i] - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

Deno.test("minimize: finds the Rosenbrock minimum from the classic start", () => {
  const r = minimize(rosenbrock, new Float64Array([-1.2, 1]), { tolerance: 1e-9 });
  assert.equal(r.converged, true, r.reason);
  assert.ok(Math.abs(r.x[0] - 1) < 1e-6 && Math.abs(r.x[1] - 1) < 1e-6, `x = ${r.x}`);
  assert.ok(r.value < 1e-12);
  assert.ok(r.iterations < 60, `took ${r.iterations} iterations`);
});

Deno.test("minimize: solves a 40-dimensional extended Rosenbrock", () => {
  const x0 = new Float64Array(40).map((_, i) => (i % 2 === 0 ? -1.2 : 1));
  const r = minimize(rosenbrock, x0, { maxIterations: 500, tolerance: 1e-8 });
  assert.equal(r.converged, true, r.reason);
  for (const v of r.x) assert.ok(Math.abs(v - 1) < 1e-5);
});

Deno.test("minimize: solves an ill-conditioned quadratic to the gradient tolerance", () => {
  // f = 1/2 x'Ax - b'x with A diagonal 1..1000 and a coupling term; minimiser solves Ax = b.
  const n = 30;
  const diag = Float64Array.from({ length: n }, (_, i) => 1 + (999 * i) / (n - 1));
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const coupling = 0.5;
  const f = (x: Float64Array, g: Float64Array) => {
    // A = diag + coupling * (e e'), e the all-ones vector: positive definite.
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i];
    let v = 0;
    for (let i = 0; i < n; i++) {
      const ax = diag[i] * x[i] + coupling * sum;
      g[i] = ax - b[i];
      v += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return v;
  };
  const r = minimize(f, new Float64Array(n), {
    // f itself only resolves ~1e-16 relative, so gradients much below 1e-8 are out of reach.
    tolerance: 1e-7,
    functionTolerance: 0,
    maxIterations: 1000,
  });
  assert.equal(r.reason, "gradient");
  let sum = 0;
  for (let i = 0; i < n; i++) sum += r.x[i];
  for (let i = 0; i < n; i++) {
    const residual = diag[i] * r.x[i] + coupling * sum - b[i];
    assert.ok(Math.abs(residual) <= 1e-7, `residual ${residual} at ${i}`);
  }
});

Deno.test("minimize: backs off when the objective is infinite outside its domain", () => {
  // f = x - log(x) has its minimum at x = 1 and is undefined for x <= 0.
  const f = (x: Float64Array, g: Float64Array) => {
    if (x[0] <= 0) return Infinity;
    g[0] = 1 - 1 / x[0];
    return x[0] - Math.log(x[0]);
  };
  const r = minimize(f, new Float64Array([20]));
  assert.equal(r.converged, true, r.reason);
  assert.ok(Math.abs(r.x[0] - 1) < 1e-6, `x = ${r.x[0]}`);
});

Deno.test("minimize: reports non-convergence at the iteration limit", () => {
  const r = minimize(rosenbrock, new Float64Array([-1.2, 1]), { maxIterations: 3 });
  assert.equal(r.converged, false);
  assert.equal(r.reason, "maxIterations");
  assert.equal(r.iterations, 3);
});

Deno.test("minimize: rejects a non-finite starting point", () => {
  assert.throws(() => minimize(() => NaN, new Float64Array(1)), /not finite/);
});
