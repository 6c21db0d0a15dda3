import assert from "node:assert/strict";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import { createPredictionService } from "../predict/prediction_service.ts";
import { createMetrics } from "../ops/metrics.ts";
import { LivePredictor } from "./live_predictor.ts";
import type { StoredMatch } from "./odds_store.ts";

const MATCH: StoredMatch = {
  id: "m1",
  league: "england-premier-league",
  home_team: "Arsenal",
  away_team: "Liverpool",
  kickoff: "2026-12-20T15:00:00.000Z",
  quotes: [{
    source: "demo",
    odds: { x12: { home: 2.1, draw: 3.4, away: 3.5 } },
    opening_odds: { x12: { home: 2.1, draw: 3.4, away: 3.5 } },
    opened_at: "2026-12-01T12:00:00.000Z",
    updated_at: "2026-12-01T12:00:00.000Z",
    changes: 1,
  }],
};

Deno.test("LivePredictor: predictions go through the prediction service", async (t) => {
  await t.step("counted in the prediction metrics, once per quote", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const predictor = new LivePredictor({
      predictions: createPredictionService(createMemoryEngine(), { metrics }),
      signal: new AbortController().signal,
      log: () => {},
    });
    assert.ok(await predictor.predict(MATCH));
    assert.ok(await predictor.predict(MATCH));
    const text = await metrics.registry.metrics();
    assert.match(
      text,
      /sabiscore_predictions_total\{league="england-premier-league",source="model"\} 1\n/,
    );
  });
  await t.step("refused under memory pressure, logged once", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const logged: string[] = [];
    const predictor = new LivePredictor({
      predictions: createPredictionService(createMemoryEngine(), {
        metrics,
        memoryLimitBytes: 1024 * 1024,
        memoryUsage: () => 2 * 1024 * 1024,
      }),
      signal: new AbortController().signal,
      log: (m) => logged.push(m),
    });
    assert.equal(await predictor.predict(MATCH), undefined);
    assert.equal(await predictor.predict(MATCH), undefined);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /No prediction for "m1": Server is under memory pressure/);
    assert.match(
      await metrics.registry.metrics(),
      /sabiscore_prediction_failures_total\{reason="memory_pressure"\} 2/,
    );
  });
});
