import assert from "node:assert/strict";
import { EncodedPrediction } from "./encoded_prediction.ts";
import { createMemoryEngine } from "./memory_engine.ts";

Deno.test("EncodedPrediction: the answer without the matrix, and with it on demand", async () => {
  const engine = createMemoryEngine();
  const prediction = await engine.predict({
    league: "england-premier-league",
    home_team: "Arsenal",
    away_team: "Norwich",
    odds: { home: 2.1, draw: 3.4, away: 3.6 },
  });
  const n = prediction.score_matrix.length;
  assert(n > 1 && prediction.score_matrix.every((row) => row.length === n));
  const entry = new EncodedPrediction(prediction);
  assert.equal(entry.league, "england-premier-league");

  const { score_matrix, ...rest } = prediction;
  assert.deepEqual(JSON.parse(entry.json), rest);
  assert.equal("score_matrix" in JSON.parse(entry.json), false);
  // The compact copy gives back the very same rows, in the same order, as the last field.
  assert.deepEqual(entry.scoreMatrix(), score_matrix);
  const full = entry.withScoreMatrix();
  assert.deepEqual(JSON.parse(full), prediction);
  assert.deepEqual(Object.keys(JSON.parse(full)).at(-1), "score_matrix");
  assert.equal(entry.withScoreMatrix(), full, "built once");
});

Deno.test("EncodedPrediction: a given JSON text is kept as it is", () => {
  const matrix = [[0.5, 0.25], [0.125, 0.125]];
  const entry = new EncodedPrediction(
    { league: "x", score_matrix: matrix } as unknown as ConstructorParameters<
      typeof EncodedPrediction
    >[0],
    '{"league":"x"}',
  );
  assert.equal(entry.json, '{"league":"x"}');
  assert.equal(entry.withScoreMatrix(), '{"league":"x","score_matrix":[[0.5,0.25],[0.125,0.125]]}');
});
