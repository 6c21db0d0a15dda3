import assert from "node:assert/strict";
import { DEFAULT_VALUE_POLICY, type ValuePolicy } from "../../server/domain/value_policy.ts";
import { parseValuePolicy } from "../../server/predict/value_policy.ts";
import { valuePolicyText } from "./policy_writer.ts";

/** A policy shaped as the backtest writes one. */
const CHOSEN: ValuePolicy = {
  ...DEFAULT_VALUE_POLICY,
  fair: { method: "pinnacle_or_consensus", margin_removal: "power", model_weight: 0 },
  min_edge: 0.025,
  close_edge: 0.0125,
  max_odds: 5,
  markets: ["1x2"],
  buckets: [
    { edge_from: 0, edge_to: 0.01, picks: 3510, mean_clv: 0.002, mean_clv_ci95: [-0.0001, 0.004] },
    { edge_from: 0.15, edge_to: null, picks: 20, mean_clv: 0.2, mean_clv_ci95: [0.1, 0.3] },
  ],
  chosen_on: { seasons: ["2012-13"], leagues: ["england-premier-league"] },
  evaluated_on: {
    seasons: ["2019-20"],
    picks: 356,
    mean_clv: 0.0338,
    mean_clv_ci95: [0.0239, 0.0436],
    roi: -0.009,
    roi_ci95: [-0.138, 0.127],
  },
};

const refuses = (f: () => unknown) => {
  try {
    f();
    return false;
  } catch {
    return true;
  }
};

Deno.test("valuePolicyText: refuses exactly the policies the service refuses to start with", async (t) => {
  const evaluated = CHOSEN.evaluated_on!;
  const cases: [string, Partial<ValuePolicy>, boolean][] = [
    ["the chosen policy", {}, false],
    ["alerts close at the opening threshold", { close_edge: 0.025 }, false],
    ["the model alone", { fair: { ...CHOSEN.fair, model_weight: 1 } }, false],
    ["alerts close above the opening threshold", { close_edge: 0.03 }, true],
    ["odds range upside down", { min_odds: 6 }, true],
    ["odds of 1", { min_odds: 1 }, true],
    ["no upper odds (Infinity is null in JSON)", { max_odds: Infinity }, true],
    ["no evaluation pick (NaN is null in JSON)", {
      evaluated_on: { ...evaluated, picks: 0, mean_clv: NaN },
    }, true],
    ["interval upside down", { evaluated_on: { ...evaluated, roi_ci95: [0.1, -0.1] } }, true],
    ["model weight above 1", { fair: { ...CHOSEN.fair, model_weight: 1.5 } }, true],
    ["no market", { markets: [] }, true],
    ["no book", { min_books: 0 }, true],
    ["empty bucket range", {
      buckets: [{ edge_from: 0.05, edge_to: 0.05, picks: 1, mean_clv: 0, mean_clv_ci95: [0, 0] }],
    }, true],
  ];
  for (const [name, change, refused] of cases) {
    await t.step(name, () => {
      const policy = { ...CHOSEN, ...change };
      const server = refuses(() => parseValuePolicy(JSON.stringify(policy), "p.json"));
      assert.equal(server, refused, "the service's verdict");
      assert.equal(refuses(() => valuePolicyText(policy, "p.json")), server);
    });
  }
});

Deno.test("valuePolicyText: names the file and the field, and writes what the service loads", () => {
  assert.throws(
    () => valuePolicyText({ ...CHOSEN, close_edge: 0.03 }, "models/value_policy.json"),
    /^Error: Cannot write value policy "models\/value_policy\.json": the service would refuse it: close_edge: Must be at most min_edge/,
  );
  const text = valuePolicyText(CHOSEN, "p.json");
  assert.ok(text.endsWith("}\n"));
  assert.deepEqual(parseValuePolicy(text, "p.json"), CHOSEN);
});
