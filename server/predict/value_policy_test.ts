import assert from "node:assert/strict";
import { DEFAULT_VALUE_POLICY } from "../domain/value_policy.ts";
import { loadValuePolicy, parseValuePolicy, ValuePolicyError } from "./value_policy.ts";

const MODELS = new URL("../../models/", import.meta.url).pathname;

Deno.test("loadValuePolicy: the committed policy file is valid", async () => {
  const policy = await loadValuePolicy(MODELS);
  assert.equal(policy.version, 1);
  assert.ok(policy.close_edge <= policy.min_edge);
  assert.ok(!("_comment" in policy));
});

Deno.test("loadValuePolicy: a directory without a policy serves the default", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sabiscore_policy_" });
  try {
    assert.deepEqual(await loadValuePolicy(dir), DEFAULT_VALUE_POLICY);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseValuePolicy: refuses a malformed file naming every bad field", async (t) => {
  const good = JSON.stringify(DEFAULT_VALUE_POLICY);
  assert.deepEqual(parseValuePolicy(good, "p.json"), DEFAULT_VALUE_POLICY);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["close above open", { close_edge: 0.05 }, /close_edge: Must be at most min_edge/],
    ["unknown margin method", {
      fair: { method: "pinnacle_or_consensus", margin_removal: "additive", model_weight: 0.5 },
    }, /fair\.margin_removal/],
    ["weight above 1", {
      fair: { method: "pinnacle_or_consensus", margin_removal: "shin", model_weight: 2 },
    }, /fair\.model_weight/],
    ["odds range", { min_odds: 3, max_odds: 2 }, /max_odds: Must be at least min_odds/],
    ["unknown field", { min_edgee: 0.1 }, /min_edgee/],
    ["bad bucket", {
      buckets: [{ edge_from: 0.1, edge_to: 0.05, picks: 1, mean_clv: 0, mean_clv_ci95: [0, 0] }],
    }, /buckets\.0\.edge_to/],
  ];
  for (const [name, change, message] of cases) {
    await t.step(name, () => {
      const text = JSON.stringify({ ...DEFAULT_VALUE_POLICY, ...change });
      assert.throws(() => parseValuePolicy(text, "p.json"), (e: Error) => {
        assert.ok(e instanceof ValuePolicyError);
        assert.match(e.message, /^Cannot load value policy "p\.json": /);
        assert.match(e.message, message);
        return true;
      });
    });
  }
  assert.throws(() => parseValuePolicy("{", "p.json"), /not JSON/);
});

Deno.test("server: refuses to start with a malformed value policy, naming the field", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sabiscore_policy_" });
  try {
    const bad = { ...DEFAULT_VALUE_POLICY, close_edge: 0.5 };
    await Deno.writeTextFile(`${dir}/value_policy.json`, JSON.stringify(bad));
    const main = new URL("../main.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-kv", main],
      env: { MODEL_DIR: dir, KV_PATH: ":memory:", PORT: "0", DEMO_BOOKMAKER: "false" },
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.match(
      stderr,
      /Cannot load value policy ".*value_policy\.json": close_edge: Must be at most min_edge/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
