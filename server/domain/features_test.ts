import assert from "node:assert/strict";
import {
  computeFeatures,
  FEATURES_BLEND,
  FEATURES_FUNDAMENTAL,
  MAX_REST_DAYS,
  selectFeatures,
  selectFeatureValues,
} from "./features.ts";

const KICKOFF = new Date(Date.UTC(2025, 7, 16, 12));
const DAYS = KICKOFF.getTime() / 86_400_000;

Deno.test("computeFeatures: fundamental features from states and the DC model", () => {
  const f = computeFeatures({
    home: { elo: 1800, pi_home: 0.9, form: 0.4, last_match: DAYS - 3 },
    away: { elo: 1650, pi_away: -0.2, form: -0.1, last_match: DAYS - 7 },
    dc: { probs: [0.5, 0.27, 0.23], lambda: 1.7, mu: 0.9 },
    kickoff: KICKOFF,
  });
  for (const name of FEATURES_FUNDAMENTAL) assert.ok(Number.isFinite(f[name]), name);
  assert.equal(f.mkt_logit_home, undefined, "market features need odds");
  assert.equal(f.dc_p_home, 0.5);
  assert.ok(Math.abs(f.dc_xg_diff - 0.8) < 1e-12);
  assert.equal(f.elo_diff, 1.5);
  assert.ok(Math.abs(f.pi_diff - 1.1) < 1e-12);
  assert.ok(Math.abs(f.form_diff - 0.5) < 1e-12);
  assert.equal(f.rest_days_diff, -4);
});

Deno.test("computeFeatures: defaults for missing state and capped rest", () => {
  const f = computeFeatures({
    home: {},
    away: { elo: 1600, last_match: DAYS - 200 },
    dc: { probs: [0.4, 0.3, 0.3], lambda: 1.3, mu: 1.1 },
    kickoff: KICKOFF,
  });
  assert.equal(f.elo_diff, -1);
  assert.equal(f.pi_diff, 0);
  assert.equal(f.rest_days_diff, MAX_REST_DAYS - MAX_REST_DAYS);
});

Deno.test("computeFeatures: market logits from margin-free odds", () => {
  const f = computeFeatures({
    home: {},
    away: {},
    dc: { probs: [0.4, 0.3, 0.3], lambda: 1.3, mu: 1.1 },
    kickoff: KICKOFF,
    odds: { home: 1.9, draw: 3.6, away: 4.2 },
  });
  const inv = [1 / 1.9, 1 / 3.6, 1 / 4.2];
  const sum = inv[0] + inv[1] + inv[2];
  const q = inv.map((v) => v / sum);
  assert.ok(Math.abs(f.mkt_logit_home - Math.log(q[0] / (1 - q[0]))) < 1e-12);
  assert.ok(Math.abs(f.mkt_logit_away - Math.log(q[2] / (1 - q[2]))) < 1e-12);
  assert.equal(selectFeatures(f, FEATURES_BLEND).length, FEATURES_BLEND.length);
  assert.throws(
    () =>
      computeFeatures({
        home: {},
        away: {},
        dc: { probs: [0.4, 0.3, 0.3], lambda: 1.3, mu: 1.1 },
        kickoff: KICKOFF,
        odds: { home: 1.9, draw: 0.9, away: 4.2 },
      }),
    /Invalid draw odds "0.9"/,
  );
});

Deno.test("selectFeatures: picks in order and names a missing feature", () => {
  assert.deepEqual(Array.from(selectFeatures({ a: 1, b: 2 }, ["b", "a"])), [2, 1]);
  assert.ok(selectFeatures({ a: 1 }, ["a"]) instanceof Float64Array);
  assert.throws(() => selectFeatures({ a: 1 }, ["a", "shots"]), /Unknown feature "shots"/);
});

Deno.test("selectFeatureValues: the same picks as a plain array", () => {
  assert.deepEqual(selectFeatureValues({ a: 1, b: 2, c: 3 }, ["c", "a"]), [3, 1]);
  assert.throws(() => selectFeatureValues({ a: 1 }, ["shots"]), /Unknown feature "shots"/);
});
