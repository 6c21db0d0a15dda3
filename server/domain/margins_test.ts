import assert from "node:assert/strict";
import {
  fairProbabilities,
  type MarginMethod,
  normalise,
  oddsRatio,
  power,
  shin,
} from "./margins.ts";

function close(actual: number[], expected: number[], tolerance = 1e-9): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) < tolerance, `[${i}] ${a} != ${expected[i]}`)
  );
}

const METHODS: MarginMethod[] = ["normalise", "shin", "power", "oddsRatio"];

Deno.test("normalise: divides implied probabilities by the booksum", () => {
  // 1/1.6 = 0.625, 1/4 = 0.25, 1/5 = 0.2; booksum 1.075.
  // 0.625/1.075 = 0.58139535, 0.25/1.075 = 0.23255814, 0.2/1.075 = 0.18604651.
  close(normalise([1.6, 4, 5]), [0.625 / 1.075, 0.25 / 1.075, 0.2 / 1.075]);
});

Deno.test("power: finds k with sum (1/o)^k = 1", () => {
  // Odds sqrt(2), 2, 2: implied 0.70711, 0.5, 0.5 (booksum 1.70711). With k = 2:
  // 0.5 + 0.25 + 0.25 = 1, so the fair probabilities are 0.5, 0.25, 0.25.
  close(power([Math.SQRT2, 2, 2]), [0.5, 0.25, 0.25]);
  // Odds 1.6, 4, 5: k = 1.0817484507 (0.625^k + 0.25^k + 0.2^k = 1), giving
  // 0.625^k = 0.6014416849, 0.25^k = 0.2232145690, 0.2^k = 0.1753437461.
  close(power([1.6, 4, 5]), [0.6014416849, 0.2232145690, 0.1753437461], 1e-9);
});

Deno.test("oddsRatio: divides every implied odds ratio by one constant", () => {
  // Fair 0.5, 0.25, 0.25 with c = 2: fair odds ratios 1, 1/3, 1/3 become implied ratios
  // 2, 2/3, 2/3, i.e. implied probabilities 2/3, 0.4, 0.4 (odds 1.5, 2.5, 2.5).
  close(oddsRatio([1.5, 2.5, 2.5]), [0.5, 0.25, 0.25]);
  // Odds 1.6, 4, 5: c = 1.1398477204; 0.625/(c + 0.625 - 0.625c) = 0.5938564485, etc.
  close(oddsRatio([1.6, 4, 5]), [0.5938564485, 0.2262677303, 0.1798758212], 1e-9);
});

Deno.test("shin: recovers the probabilities behind Shin's own pricing model", () => {
  // Shin (1993) prices: pi_i = s_i * S with s_i = sqrt(z p_i + (1 - z) p_i^2), S = sum s_j.
  // p = 0.5, 0.3, 0.2 and z = 0.02: s = 0.50497525, 0.30692019, 0.20784610; S = 1.01974153;
  // pi = 0.51494423, 0.31297926, 0.21194930 (booksum 1.03987279).
  const p = [0.5, 0.3, 0.2];
  const z = 0.02;
  const s = p.map((x) => Math.sqrt(z * x + (1 - z) * x * x));
  const total = s.reduce((a, b) => a + b, 0);
  close(shin(s.map((x) => 1 / (x * total))), p);
  // Odds 1.6, 4, 5 (booksum 1.075): z = 0.0379462971 and
  // p_i = (sqrt(z^2 + 4 (1 - z) pi_i^2 / 1.075) - z) / (2 (1 - z)) = 0.5951715907, ...
  close(shin([1.6, 4, 5]), [0.5951715907, 0.2268989936, 0.1779294158], 1e-9);
});

Deno.test("margins: every method sums to 1, keeps the order and leaves fair odds alone", async (t) => {
  const markets = [[1.6, 4, 5], [2.9, 3.3, 2.6], [1.05, 15, 34], [1.9, 1.95], [3.1, 3.4, 2.45]];
  for (const method of METHODS) {
    await t.step(method, () => {
      for (const odds of markets) {
        const p = fairProbabilities(odds, method);
        assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
        for (let i = 0; i < odds.length; i++) {
          for (let j = 0; j < odds.length; j++) {
            if (odds[i] < odds[j]) assert.ok(p[i] > p[j], `${method} ${odds}: order`);
          }
        }
      }
      // Odds 2, 4, 4 already sum to 0.5 + 0.25 + 0.25 = 1.
      close(fairProbabilities([2, 4, 4], method), [0.5, 0.25, 0.25]);
    });
  }
});

Deno.test("margins: methods differ where the theory says (long shots)", () => {
  // Normalisation leaves more on the long shot than Shin and power do.
  const odds = [1.25, 6, 12];
  const n = normalise(odds)[2];
  assert.ok(shin(odds)[2] < n);
  assert.ok(power(odds)[2] < n);
  assert.ok(oddsRatio(odds)[2] < n);
});

Deno.test("margins: rejects odds that are not prices", () => {
  for (const bad of [[1, 2, 3], [0.5, 3], [Number.NaN, 2, 3], [2], [], [2, Infinity]]) {
    assert.throws(() => normalise(bad), RangeError);
    assert.throws(() => shin(bad), RangeError);
    assert.throws(() => power(bad), RangeError);
    assert.throws(() => oddsRatio(bad), RangeError);
  }
  assert.throws(
    () => fairProbabilities([2, 2], "magic" as MarginMethod),
    /Unknown margin method "magic"/,
  );
});
