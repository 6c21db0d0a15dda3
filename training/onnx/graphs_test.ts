import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { type ClassifierParams, classify } from "../../server/domain/classifier.ts";
import { scoreMatrix } from "../../server/domain/score_matrix.ts";
import {
  CLASSIFIER_IO,
  classifierGraph,
  SCORE_MATRIX_IO,
  scoreMatrixGraph,
  serializeModel,
} from "./graphs.ts";

const TOLERANCE = 1e-6;

/** Mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(rand: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

function matrixOf(rand: () => number, rows: number, cols: number, s = 1): number[][] {
  return Array.from(
    { length: rows },
    () => Array.from({ length: cols }, () => uniform(rand, -s, s)),
  );
}

function randomParams(rand: () => number, f: number, variant: number): ClassifierParams {
  const base = {
    mean: Array.from({ length: f }, () => uniform(rand, -2, 2)),
    scale: Array.from({ length: f }, () => uniform(rand, 0.2, 3)),
    bias: Array.from({ length: 3 }, () => uniform(rand, -1, 1)),
    ...(variant % 2 === 1 ? { temperature: uniform(rand, 0.5, 2) } : {}),
  };
  if (variant < 2) return { kind: "mlr", ...base, weights: matrixOf(rand, f, 3) };
  const h = 2 + Math.floor(rand() * 8);
  return {
    kind: "mlp",
    ...base,
    hidden: {
      weights: matrixOf(rand, f, h),
      bias: Array.from({ length: h }, () => uniform(rand, -1, 1)),
      activation: variant === 2 ? "tanh" : "relu",
    },
    weights: matrixOf(rand, h, 3),
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

Deno.test("scoreMatrixGraph: matches scoreMatrix for random rates in batch and singly", async () => {
  const rand = prng(20260101);
  for (const maxGoals of [10, 6]) {
    const n = maxGoals + 1;
    const s = await session(serializeModel(scoreMatrixGraph({ maxGoals })));
    try {
      const count = 300;
      const rates = new Float64Array(count * 2);
      const rho = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        rates[2 * i] = uniform(rand, 0.05, 5);
        rates[2 * i + 1] = uniform(rand, 0.05, 5);
        rho[i] = uniform(rand, -0.2, 0.2);
      }
      const out = await s.run({
        [SCORE_MATRIX_IO.rates]: new ort.Tensor("float64", rates, [count, 2]),
        [SCORE_MATRIX_IO.rho]: new ort.Tensor("float64", rho, [count, 1]),
      });
      const matrix = out[SCORE_MATRIX_IO.matrix];
      assert.deepEqual(matrix.dims, [count, n, n]);
      assert.equal(matrix.type, "float64");
      const data = matrix.data as Float64Array;
      for (let i = 0; i < count; i++) {
        const ref = scoreMatrix(rates[2 * i], rates[2 * i + 1], rho[i], maxGoals);
        const got = data.subarray(i * n * n, (i + 1) * n * n);
        assert.ok(maxAbsDiff(got, ref) < TOLERANCE, `row ${i}`);
      }
      for (let i = 0; i < 50; i++) {
        const single = await s.run({
          [SCORE_MATRIX_IO.rates]: new ort.Tensor("float64", rates.slice(2 * i, 2 * i + 2), [1, 2]),
          [SCORE_MATRIX_IO.rho]: new ort.Tensor("float64", rho.slice(i, i + 1), [1, 1]),
        });
        const ref = scoreMatrix(rates[2 * i], rates[2 * i + 1], rho[i], maxGoals);
        const got = single[SCORE_MATRIX_IO.matrix].data as Float64Array;
        assert.ok(maxAbsDiff(got, ref) < TOLERANCE, `single ${i}`);
      }
    } finally {
      await s.release();
    }
  }
});

Deno.test("scoreMatrixGraph: applies the tau correction only to the four low scores", async () => {
  const s = await session(serializeModel(scoreMatrixGraph({ maxGoals: 4 })));
  try {
    const run = async (rho: number) =>
      (await s.run({
        rates: new ort.Tensor("float64", Float64Array.from([1.3, 0.9]), [1, 2]),
        rho: new ort.Tensor("float64", Float64Array.from([rho]), [1, 1]),
      })).matrix.data as Float64Array;
    const plain = await run(0);
    const corrected = await run(-0.1);
    const n = 5;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const ratio = corrected[i * n + j] / plain[i * n + j];
        const expected = i === 0 && j === 0
          ? 1 + 1.3 * 0.9 * 0.1
          : i === 0 && j === 1
          ? 1 - 1.3 * 0.1
          : i === 1 && j === 0
          ? 1 - 0.9 * 0.1
          : i === 1 && j === 1
          ? 1.1
          : 1;
        assert.ok(Math.abs(ratio - expected) < 1e-12, `${i}-${j}: ${ratio} vs ${expected}`);
      }
    }
  } finally {
    await s.release();
  }
});

Deno.test("scoreMatrixGraph: rejects a bad maxGoals", () => {
  assert.throws(() => scoreMatrixGraph({ maxGoals: 0 }), /Invalid maxGoals "0"/);
  assert.throws(() => scoreMatrixGraph({ maxGoals: 2.5 }), /Invalid maxGoals/);
});

Deno.test("classifierGraph: matches classify for random MLR and MLP parameters", async (t) => {
  const rand = prng(7);
  const names = ["mlr", "mlr + temperature", "mlp tanh + temperature", "mlp relu"];
  for (let variant = 0; variant < 4; variant++) {
    await t.step(names[variant], async () => {
      for (let model = 0; model < 5; model++) {
        const f = 1 + Math.floor(rand() * 12);
        const params = randomParams(rand, f, variant === 2 ? 3 : variant === 3 ? 2 : variant);
        // JSON round trip: the parameters must survive being written to disk.
        const restored = JSON.parse(JSON.stringify(params)) as ClassifierParams;
        const s = await session(serializeModel(classifierGraph(restored)));
        try {
          const count = 60;
          const x = new Float64Array(count * f).map(() => uniform(rand, -4, 4));
          const out = await s.run({
            [CLASSIFIER_IO.features]: new ort.Tensor("float64", x, [count, f]),
          });
          const probs = out[CLASSIFIER_IO.probabilities];
          assert.deepEqual(probs.dims, [count, 3]);
          const data = probs.data as Float64Array;
          for (let i = 0; i < count; i++) {
            const row = Array.from(x.subarray(i * f, (i + 1) * f));
            const ref = classify(params, row);
            assert.ok(maxAbsDiff(data.subarray(3 * i, 3 * i + 3), ref) < TOLERANCE, `row ${i}`);
            assert.ok(Math.abs(ref[0] + ref[1] + ref[2] - 1) < 1e-12);
          }
          const one = await s.run({
            [CLASSIFIER_IO.features]: new ort.Tensor("float64", x.slice(0, f), [1, f]),
          });
          const ref = classify(params, Array.from(x.subarray(0, f)));
          assert.ok(maxAbsDiff(one[CLASSIFIER_IO.probabilities].data as Float64Array, ref) < 1e-6);
        } finally {
          await s.release();
        }
      }
    });
  }
});

Deno.test("classifierGraph: rejects malformed parameters naming the field", () => {
  const good: ClassifierParams = {
    kind: "mlr",
    mean: [0, 0],
    scale: [1, 1],
    weights: [[1, 0, -1], [0, 1, 0]],
    bias: [0, 0, 0],
  };
  assert.doesNotThrow(() => classifierGraph(good));
  assert.throws(() => classifierGraph({ ...good, scale: [1, 0] }), /"scale"/);
  assert.throws(() => classifierGraph({ ...good, weights: [[1, 0, -1]] }), /"weights"/);
  assert.throws(() => classifierGraph({ ...good, bias: [0, 0] }), /"bias"/);
  assert.throws(() => classifierGraph({ ...good, temperature: 0 }), /"temperature"/);
  assert.throws(
    () =>
      classifierGraph({
        ...good,
        kind: "mlp",
        hidden: { weights: [[1], [1]], bias: [0], activation: "sigmoid" as "tanh" },
      }),
    /activation "sigmoid"/,
  );
});
