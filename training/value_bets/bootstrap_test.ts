import assert from "node:assert/strict";
import { mulberry32 } from "../dixon_coles/simulate.ts";
import { bootstrapMeans } from "./bootstrap.ts";
import { clusteredMean } from "./policy.ts";

const sample = () => {
  const rand = mulberry32(3);
  const values = Array.from({ length: 600 }, () => rand() * 2 - 0.9);
  const days = values.map((_, i) => `d${Math.floor(i / 3)}`);
  return { values, days, mean: values.reduce((a, b) => a + b, 0) / values.length };
};

Deno.test("bootstrapMeans: the interval covers the sample mean and is about 4 standard errors wide", () => {
  const { values, days, mean } = sample();
  const [[lo, hi]] = bootstrapMeans([values], days, { resamples: 1000 });
  assert.ok(lo < mean && mean < hi, `${lo} < ${mean} < ${hi}`);
  const se = clusteredMean(values, days).se;
  assert.ok(hi - lo > 3 * se && hi - lo < 5 * se, `width ${hi - lo}, se ${se}`);
});

Deno.test("bootstrapMeans: seeded, so the same seed gives the same interval and another seed another", () => {
  const { values, days } = sample();
  const a = bootstrapMeans([values], days, { resamples: 1000, seed: 5 });
  assert.deepEqual(bootstrapMeans([values], days, { resamples: 1000, seed: 5 }), a);
  assert.notDeepEqual(bootstrapMeans([values], days, { resamples: 1000, seed: 6 }), a);
});

Deno.test("bootstrapMeans: items of one cluster move together, widening the interval", () => {
  // The same 20 values, repeated 10 times: as 200 separate items, or as 20 days of 10 copies.
  const base = Array.from({ length: 20 }, (_, i) => (i % 5) - 2);
  const values = base.flatMap((v) => Array(10).fill(v));
  const alone = values.map((_, i) => `i${i}`),
    together = values.map((_, i) => `d${Math.floor(i / 10)}`);
  const [[a0, a1]] = bootstrapMeans([values], alone, { resamples: 1000 });
  const [[t0, t1]] = bootstrapMeans([values], together, { resamples: 1000 });
  assert.ok(t1 - t0 > 2.5 * (a1 - a0), `clustered ${t1 - t0} vs independent ${a1 - a0}`);
});

Deno.test("clusteredMean: known sandwich standard error", () => {
  // Clusters sums 3 (n 2) and 1 (n 2), mean 1: residual sums 1 and -1, se = sqrt(2 * 2) / 4.
  const { mean, se } = clusteredMean([1, 2, 0, 1], ["a", "a", "b", "b"]);
  assert.equal(mean, 1);
  assert.ok(Math.abs(se - 0.5) < 1e-12);
});
