import assert from "node:assert/strict";
import { classify } from "../domain/classifier.ts";
import { computeFeatures, FEATURES_FUNDAMENTAL, selectFeatures } from "../domain/features.ts";
import { outcome1x2 } from "../domain/markets.ts";
import type { Prediction, PredictionEngine } from "../domain/prediction.ts";
import { scoreMatrix } from "../domain/score_matrix.ts";
import {
  syntheticFundamentalParams,
  writeSyntheticLeague,
} from "../../training/onnx/synthetic_league.ts";
import { HttpError } from "../http/errors.ts";
import type { ModelCard } from "./model_card.ts";
import { createOnnxEngine } from "./onnx_engine.ts";
import { createModelRegistry, type ModelRegistry } from "./registry.ts";

const EPL = "england-premier-league";
const KICKOFF = "2025-08-16T14:00:00.000Z";

async function withEngine(
  fn: (engine: PredictionEngine, card: ModelCard, registry: ModelRegistry) => Promise<void>,
  options: { maxCached?: number; leagues?: string[] } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "sabiscore_engine_" });
  const registry = createModelRegistry({ dir, maxCached: options.maxCached });
  try {
    let card: ModelCard | undefined;
    for (const league of options.leagues ?? [EPL]) {
      const c = await writeSyntheticLeague(dir, { league });
      card ??= c;
    }
    await registry.init();
    const engine = createOnnxEngine(registry, { now: () => new Date(KICKOFF) });
    await fn(engine, card!, registry);
  } finally {
    await registry.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function assertCoherent(p: Prediction): void {
  const { home_win, draw, away_win } = p.probabilities;
  assert.ok(Math.abs(home_win + draw + away_win - 1) < 1e-9);
  // score_matrix cells are rounded to 6 decimals: at most 0.5e-6 off each
  const cells = p.score_matrix.flat();
  const rounding = cells.length * 0.5e-6;
  const mass = cells.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(mass - 1) <= rounding, `mass ${mass}`);
  assert.ok(cells.every((v) => v === Math.round(v * 1e6) / 1e6), "cells have 6 decimals");
  assert.ok(Math.abs(p.markets.over_under_2_5.over + p.markets.over_under_2_5.under - 1) < 1e-9);
  assert.ok(Math.abs(p.markets.btts.yes + p.markets.btts.no - 1) < 1e-9);
  assert.ok(Math.abs(p.fair_odds.home * home_win - 1) < 1e-9);
  assert.ok(Math.abs(p.fair_odds.btts_yes * p.markets.btts.yes - 1) < 1e-9);
  // the shown matrix carries the shown 1X2
  let h = 0;
  p.score_matrix.forEach((row, i) => row.forEach((v, j) => (h += i > j ? v : 0)));
  assert.ok(Math.abs(h - home_win) <= rounding, `home cells ${h} vs ${home_win}`);
}

function referenceFundamental(card: ModelCard, home: string, away: string): number[] {
  const dc = card.dixon_coles;
  const t = (name: string) => card.teams.find((x) => x.name === name)!;
  const [h, a] = [t(home), t(away)];
  const att = (x: typeof h) => x.state.dc_attack ?? dc.promoted.attack;
  const def = (x: typeof h) => x.state.dc_defence ?? dc.promoted.defence;
  const lambda = Math.exp(dc.intercept + att(h) + def(a) + dc.home_advantage);
  const mu = Math.exp(dc.intercept + att(a) + def(h));
  const n = dc.max_goals + 1;
  const probs = outcome1x2(scoreMatrix(lambda, mu, dc.rho, dc.max_goals), n);
  const features = computeFeatures({
    home: h.state,
    away: a.state,
    dc: { probs, lambda, mu },
    kickoff: new Date(KICKOFF),
  });
  return classify(
    syntheticFundamentalParams(),
    Array.from(selectFeatures(features, FEATURES_FUNDAMENTAL)),
  );
}

Deno.test("createOnnxEngine: a prediction without odds matches the TypeScript reference", async () => {
  await withEngine(async (engine, card) => {
    for (const [home, away] of [["Arsenal", "Chelsea"], ["Sunderland", "Manchester City"]]) {
      const p = await engine.predict({ league: EPL, home_team: home, away_team: away });
      assertCoherent(p);
      const ref = referenceFundamental(card, home, away);
      const got = [p.probabilities.home_win, p.probabilities.draw, p.probabilities.away_win];
      got.forEach((v, k) => assert.ok(Math.abs(v - ref[k]) < 1e-6, `${home}-${away} ${k}`));
      assert.equal(p.model.variant, "fundamental");
      assert.equal(p.model.version, "synthetic-1");
      assert.equal(p.kickoff, KICKOFF);
      assert.deepEqual(p.value_bets, []);
      assert.equal(p.score_matrix.length, 11);
    }
    const strong = await engine.predict({
      league: EPL,
      home_team: "Manchester City",
      away_team: "Sunderland",
    });
    assert.ok(strong.probabilities.home_win > 0.5, "the strong home side is favoured");
    assert.ok(strong.expected_goals.home > strong.expected_goals.away);
  });
});

Deno.test("createOnnxEngine: value bets appear at generous odds and not at stingy ones", async () => {
  await withEngine(async (engine) => {
    const base = { league: "EPL", home_team: "Liverpool", away_team: "Everton" };
    const plain = await engine.predict(base);
    const fund = plain.probabilities;
    const f = { over: plain.markets.over_under_2_5.over, yes: plain.markets.btts.yes };
    const priced = (k: number) => ({
      home: k / fund.home_win,
      draw: k / fund.draw,
      away: k / fund.away_win,
      over_2_5: k / f.over,
      under_2_5: k / (1 - f.over),
      btts_yes: k / f.yes,
      btts_no: k / (1 - f.yes),
    });

    const generous = await engine.predict({ ...base, odds: priced(1.2) });
    assertCoherent(generous);
    assert.equal(generous.model.variant, "blend");
    assert.equal(generous.value_bets.length, 7);
    for (const bet of generous.value_bets) {
      assert.ok(Math.abs(bet.edge - 0.2) < 1e-6, `${bet.market}/${bet.selection} ${bet.edge}`);
      const full = bet.edge / (bet.odds - 1);
      assert.ok(Math.abs(bet.kelly_fraction - Math.min(0.05, 0.25 * full)) < 1e-12);
      assert.ok(bet.kelly_fraction <= 0.05);
    }
    const home = generous.value_bets.find((b) => b.market === "1x2" && b.selection === "home");
    assert.ok(home && Math.abs(home.probability - fund.home_win) < 1e-9, "fundamental probability");

    const stingy = await engine.predict({ ...base, odds: priced(0.95) });
    assertCoherent(stingy);
    assert.deepEqual(stingy.value_bets, []);

    const thin = await engine.predict({ ...base, odds: priced(1.02) }); // edge 2% < 3%
    assert.deepEqual(thin.value_bets, []);
  });
});

Deno.test("createOnnxEngine: unknown teams and leagues are 422 with suggestions", async () => {
  await withEngine(async (engine) => {
    await assert.rejects(
      engine.predict({ league: EPL, home_team: "Arsnal", away_team: "Chelsea" }),
      (e) => {
        assert.ok(e instanceof HttpError);
        assert.equal(e.status, 422);
        assert.equal(e.code, "unknown_team");
        const [d] = e.details as { suggestions: string[]; path: string }[];
        assert.equal(d.path, "home_team");
        assert.equal(d.suggestions[0], "Arsenal");
        assert.match(e.message, /Unknown home team "Arsnal" in "england-premier-league"/);
        return true;
      },
    );
    await assert.rejects(
      engine.predict({ league: EPL, home_team: "Chelsea", away_team: "Man Citty" }),
      (e) =>
        e instanceof HttpError && e.status === 422 &&
        (e.details as { suggestions: string[] }[])[0].suggestions[0] === "Manchester City",
    );
    await assert.rejects(
      engine.predict({ league: "premier leage", home_team: "Chelsea", away_team: "Arsenal" }),
      (e) =>
        e instanceof HttpError && e.status === 422 && e.code === "unknown_league" &&
        (e.details as { suggestions: string[] }[])[0].suggestions[0] === EPL,
    );
    await assert.rejects(
      engine.teams("nowhere"),
      (e) => e instanceof HttpError && e.status === 422,
    );
    await assert.rejects(
      engine.predict({ league: EPL, home_team: "Spurs", away_team: "tottenham hotspur" }),
      (e) => e instanceof HttpError && e.status === 422 && e.code === "same_team",
    );
  });
});

Deno.test("createOnnxEngine: aliases are accepted and canonicalised", async () => {
  await withEngine(async (engine) => {
    const p = await engine.predict({
      league: "e0",
      home_team: "  SPURS ",
      away_team: "man  utd",
      kickoff: "2025-09-01T19:00:00+02:00",
    });
    assert.equal(p.league, EPL);
    assert.equal(p.home_team, "Tottenham Hotspur");
    assert.equal(p.away_team, "Manchester United");
    assert.equal(p.kickoff, "2025-09-01T17:00:00.000Z");
    const teams = await engine.teams("Premier League");
    assert.ok(teams.some((t) => t.name === "Manchester City" && t.aliases.includes("Man City")));
  });
});

Deno.test("createOnnxEngine: rejects bad odds, bad kick-off, missing models and aborts", async () => {
  await withEngine(async (engine) => {
    const base = { league: EPL, home_team: "Arsenal", away_team: "Chelsea" };
    await assert.rejects(
      engine.predict({ ...base, odds: { home: 2, draw: 1, away: 3 } }),
      (e) => e instanceof HttpError && e.status === 422 && /Invalid odds "draw"/.test(e.message),
    );
    await assert.rejects(
      engine.predict({ ...base, odds: { home: 2, draw: 3.4, away: 3, btts_yes: Number.NaN } }),
      /Invalid odds "btts_yes"/,
    );
    await assert.rejects(
      engine.predict({ ...base, kickoff: "next tuesday" }),
      (e) => e instanceof HttpError && e.status === 422 && e.code === "invalid_kickoff",
    );
    await assert.rejects(
      engine.predict({ ...base, league: "serie a" }),
      (e) => e instanceof HttpError && e.status === 503,
    );
    await assert.rejects(
      engine.predict({ ...base, home_team: "" }),
      (e) => e instanceof HttpError && e.status === 422 && e.message === "Missing home_team",
    );
    await assert.rejects(
      engine.predict({ ...base, league: undefined as unknown as string }),
      (e) => e instanceof HttpError && e.status === 422 && e.message === "Missing league",
    );
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      engine.predict(base, controller.signal),
      (e) => e instanceof DOMException && e.name === "AbortError",
    );
    assert.deepEqual(engine.status(), { ready: true, loaded: [EPL], available: [EPL] });
    assert.deepEqual(engine.leagues(), [EPL]);
  });
});

Deno.test("createOnnxEngine: concurrent predictions across leagues survive eviction", async () => {
  const leagues = [EPL, "spain-laliga", "germany-bundesliga"];
  await withEngine(async (engine, _card, registry) => {
    const jobs = Array.from({ length: 60 }, (_, i) =>
      engine.predict({
        league: leagues[i % 3],
        home_team: "Arsenal",
        away_team: i % 2 ? "Chelsea" : "Everton",
      }));
    const results = await Promise.all(jobs);
    results.forEach(assertCoherent);
    assert.deepEqual(
      results.slice(0, 3).map((r) => r.league),
      leagues,
    );
    assert.equal(registry.size(), 1);
  }, { maxCached: 1, leagues });
});

Deno.test("createOnnxEngine: a model needing a feature this version lacks is a clear error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sabiscore_engine_" });
  const registry = createModelRegistry({ dir });
  try {
    await writeSyntheticLeague(dir, { league: EPL, blend: false });
    const path = `${dir}/${EPL}/model.json`;
    const card = JSON.parse(await Deno.readTextFile(path));
    card.classifiers.fundamental.features[7] = "shots_diff";
    await Deno.writeTextFile(path, JSON.stringify(card));
    await registry.init();
    const engine = createOnnxEngine(registry);
    await assert.rejects(
      engine.predict({ league: EPL, home_team: "Arsenal", away_team: "Chelsea" }),
      /Model "england-premier-league" \(version "synthetic-1"\) cannot be served: Unknown feature "shots_diff"/,
    );
  } finally {
    await registry.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createOnnxEngine: memoised fixtures and batched runs give the same answers", async () => {
  await withEngine(async (engine) => {
    const base = { league: EPL, home_team: "Arsenal", away_team: "Chelsea" };
    const first = await engine.predict(base);
    // the second call reuses the fixture's score matrix and fundamental answer
    assert.deepEqual(await engine.predict(base), first);
    const odds = (home: number) => ({ home, draw: 3.4, away: 3.1 });
    // concurrent requests (batched blend runs) equal the same requests one at a time
    const prices = [1.8, 2.2, 2.6, 3.0, 3.5, 4.5];
    const together = await Promise.all(
      prices.map((h) => engine.predict({ ...base, odds: odds(h) })),
    );
    for (const [k, h] of prices.entries()) {
      const alone = await engine.predict({ ...base, odds: odds(h) });
      assert.equal(together[k].model.variant, "blend");
      for (const key of ["home_win", "draw", "away_win"] as const) {
        assert.ok(Math.abs(together[k].probabilities[key] - alone.probabilities[key]) < 1e-12);
      }
    }
    assert.notEqual(together[0].probabilities.home_win, together[5].probabilities.home_win);
    // a different fixture is not answered from the memo
    const reverse = await engine.predict({ ...base, home_team: "Chelsea", away_team: "Arsenal" });
    assert.notDeepEqual(reverse.score_matrix, first.score_matrix);
  });
});
