import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createOnnxEngine } from "../server/ml/onnx_engine.ts";
import { createModelRegistry } from "../server/ml/registry.ts";
import { mulberry32, simulateLeague } from "./dixon_coles/simulate.ts";
import { trainModels } from "./train.ts";
import type { MatchRecord } from "../server/domain/types.ts";

const EPL = "england-premier-league";

/** Five simulated seasons of a 12-club league with opening prices. */
function simulatedMatches(): MatchRecord[] {
  const rand = mulberry32(21);
  const teams = Array.from({ length: 12 }, (_, i) => `Club ${i}`);
  return simulateLeague({
    teams,
    attack: teams.map(() => (rand() - 0.5) * 0.8),
    defence: teams.map(() => (rand() - 0.5) * 0.8),
    seasons: 5,
    league: EPL,
    seed: 21,
  }).map((m) => ({
    ...m,
    opening: {
      x12: { home: 2 + rand(), draw: 3.4, away: 3 + rand() * 2 },
      totals25: { over: 1.9, under: 1.95 },
    },
  }));
}

Deno.test("trainModels: exports a model the ONNX engine serves", async () => {
  const matches = simulatedMatches();
  const dir = await Deno.makeTempDir();
  const registry = createModelRegistry({ dir, skipRemote: true });
  try {
    const written = await trainModels(matches, { out: dir, progress: false });
    assert.deepEqual(written, [EPL]);
    const report = await registry.init();
    assert.deepEqual(report.available, [EPL]);
    const card = registry.card(EPL);
    assert.ok(card);
    assert.equal(card.teams.length, 12);
    assert.ok(card.totals?.blend, "the totals blend is exported");
    const engine = createOnnxEngine(registry);
    const p = await engine.predict({
      league: EPL,
      home_team: "Club 0",
      away_team: "club 1",
      odds: { home: 2.1, draw: 3.4, away: 3.6, over_2_5: 1.9, under_2_5: 1.95 },
    });
    const { home_win, draw, away_win } = p.probabilities;
    assert.ok(Math.abs(home_win + draw + away_win - 1) < 1e-9);
    assert.equal(p.model.variant, "blend");
    assert.equal(p.model.version, card.version);
  } finally {
    await registry.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("committed models: every league loads and answers an aliased fixture", async () => {
  const dir = fileURLToPath(new URL("../models", import.meta.url));
  const registry = createModelRegistry({ dir, skipRemote: true, maxCached: 2 });
  try {
    const report = await registry.init();
    assert.equal(report.available.length, 8, JSON.stringify(report.refused));
    const engine = createOnnxEngine(registry);
    const p = await engine.predict({
      league: "epl",
      home_team: "Man United",
      away_team: "Arsenal",
      odds: { home: 2.5, draw: 3.5, away: 2.8 },
    });
    assert.equal(p.home_team, "Manchester United");
    assert.ok(p.probabilities.home_win > 0.2 && p.probabilities.home_win < 0.7);
    for (const league of report.available) {
      const teams = await engine.teams(league);
      assert.ok(teams.length >= 10, league);
      const q = await engine.predict({
        league,
        home_team: teams[0].name,
        away_team: teams[1].name,
      });
      assert.equal(q.model.variant, "fundamental");
    }
  } finally {
    await registry.close();
  }
});

Deno.test("trainModels: replaces a folder holding a model only when forced", async (t) => {
  const dir = await Deno.makeTempDir();
  const card = `${dir}/${EPL}/model.json`;
  try {
    await Deno.mkdir(`${dir}/${EPL}`);
    await Deno.writeTextFile(card, "{}\n");
    const matches = simulatedMatches();
    await t.step("refused before training, the card untouched", async () => {
      await assert.rejects(
        trainModels(matches, { out: dir, progress: false }),
        new Error(`Cannot write "${dir}/${EPL}": it holds a model; pass --force to replace it`),
      );
      assert.equal(await Deno.readTextFile(card), "{}\n");
    });
    await t.step("force: true writes the new model over it", async () => {
      assert.deepEqual(await trainModels(matches, { out: dir, progress: false, force: true }), [
        EPL,
      ]);
      assert.equal(JSON.parse(await Deno.readTextFile(card)).league, EPL);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
