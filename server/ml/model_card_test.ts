import assert from "node:assert/strict";
import { parseModelCard } from "./model_card.ts";

const SHA = "a".repeat(64);

function card(): Record<string, unknown> {
  return {
    league: "england-premier-league",
    name: "Premier League",
    country: "england",
    version: "2025.05.25-1",
    created_at: "2025-05-26T10:00:00Z",
    trained_until: "2025-05-25",
    training_window: { from: "2015-08-01", to: "2025-05-25", matches: 3800 },
    hyperparameters: { xi: 0.0019 },
    metrics: { rps: 0.198 },
    dixon_coles: {
      intercept: 0.1,
      home_advantage: 0.25,
      rho: -0.05,
      max_goals: 10,
      promoted: { attack: -0.2, defence: 0.2 },
    },
    teams: [
      { name: "Arsenal", aliases: ["Arsenal FC"], state: { dc_attack: 0.3, elo: 1800 } },
      { name: "Chelsea", aliases: [], state: { dc_attack: 0.2 } },
    ],
    classifiers: {
      fundamental: { file: "fundamental.onnx", features: ["dc_p_home"] },
      blend: { file: "blend.onnx", features: ["dc_p_home", "mkt_logit_home"] },
    },
    score_matrix: { file: "score_matrix.onnx" },
    files: {
      "fundamental.onnx": { sha256: SHA, bytes: 10 },
      "blend.onnx": { sha256: SHA, bytes: 10 },
      "score_matrix.onnx": { sha256: SHA, bytes: 10 },
    },
  };
}

Deno.test("parseModelCard: accepts a complete card", () => {
  const parsed = parseModelCard(card());
  assert.equal(parsed.league, "england-premier-league");
  assert.equal(parsed.teams[0].state.elo, 1800);
  assert.equal(parsed.classifiers.blend?.file, "blend.onnx");
});

Deno.test("parseModelCard: names the bad field", async (t) => {
  // The cases mutate untyped JSON on purpose.
  // deno-lint-ignore no-explicit-any
  const cases: [string, (c: Record<string, any>) => void, RegExp][] = [
    ["a missing field", (c) => delete c.version, /"version"/],
    ["a non-finite rate", (c) => (c.dixon_coles.rho = Number.NaN), /"dixon_coles.rho"/],
    ["a string state", (c) => (c.teams[1].state.elo = "high"), /"teams.1.state.elo"/],
    ["a short sha256", (c) => (c.files["blend.onnx"].sha256 = "abc"), /"files.blend.onnx.sha256"/],
    [
      "an unlisted classifier file",
      (c) => delete c.files["blend.onnx"],
      /"classifiers.blend.file" "blend.onnx" is not listed in files/,
    ],
    [
      "a path outside the folder",
      (c) => (c.score_matrix.file = "../secrets.onnx"),
      /"score_matrix.file" must be a plain file name/,
    ],
    [
      "an alias shared by two teams",
      (c) => c.teams[1].aliases.push("arsenal fc"),
      /"teams.1" name or alias "arsenal fc" is also used by "Arsenal"/,
    ],
    [
      "no classifier features",
      (c) => (c.classifiers.fundamental.features = []),
      /"classifiers.fundamental.features"/,
    ],
  ];
  for (const [name, mutate, message] of cases) {
    await t.step(name, () => {
      const c = card();
      mutate(c);
      assert.throws(() => parseModelCard(c), message);
    });
  }
  assert.throws(() => parseModelCard(null), /Invalid model card: "\(root\)"/);
});
