/** The live REST endpoints (`routes/api/v1/matches/*`, `routes/api/v1/value-bets.ts`). */
import assert from "node:assert/strict";
import { createPredictionService } from "../predict/prediction_service.ts";
import { Hono } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import { handleError } from "../http/error_handler.ts";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import type { Services } from "../services/services.ts";
import {
  filePathToPattern,
  mountRoutes,
  type RouteEntry,
  type RouteModule,
} from "../web/router.ts";
import { createMemoryOddsStore } from "./odds_store.ts";
import { createLivePipeline } from "./pipeline.ts";
import { createSourceMetrics } from "./source_metrics.ts";
import type { SourceConfig } from "./sources.ts";
import type { OddsFeed } from "./odds_feed.ts";

const ROUTES = new URL("../../routes/", import.meta.url);
const FILES = ["api/v1/matches/upcoming.ts", "api/v1/matches/[id].ts", "api/v1/value-bets.ts"];
const T0 = new Date("2026-12-01T12:00:00Z");

/** An app with only the live routes; they read nothing but `services.live`. */
async function appWith(live?: OddsFeed) {
  const services = { live } as unknown as Services;
  const routes: RouteEntry[] = [];
  for (const file of FILES) {
    const module = await import(new URL(file, ROUTES).href) as RouteModule;
    routes.push({ file, pattern: filePathToPattern(file)!, module });
  }
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("requestId", "test");
    c.set("services", services);
    await next();
  });
  mountRoutes(app, routes);
  app.onError(handleError);
  return app;
}

const CSV = [
  "Div,Date,Time,HomeTeam,AwayTeam,AvgH,AvgD,AvgA,Avg>2.5,Avg<2.5",
  "E0,05/12/2026,15:00,Man City,Burnley,1.25,6.5,11,1.5,2.6",
  "E0,06/12/2026,16:30,Arsenal,Man United,12,7,1.2,1.9,1.9",
  "SP1,06/12/2026,20:00,Barcelona,Getafe,1.3,5.5,9.5,1.7,2.2",
].join("\n");

Deno.test("live REST endpoints: upcoming, one match with history and prediction, value bets", async () => {
  let body = CSV;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(body),
  );
  const sources: SourceConfig[] = [{
    name: "fd",
    url: `http://127.0.0.1:${server.addr.port}/fixtures.csv`,
    interval_ms: 60_000,
    parser: "football-data-csv",
  }];
  const controller = new AbortController();
  const engine = createMemoryEngine();
  const store = createMemoryOddsStore({ now: () => T0 });
  const pipeline = createLivePipeline({
    sources,
    store,
    predictions: createPredictionService(engine),
    signal: controller.signal,
    now: () => T0,
    start: false,
    canonicalTeam: (_league, name) =>
      ({ "Man City": "Manchester City", "Man United": "Manchester United" })[name],
  });
  const live = { store, pipeline, metrics: createSourceMetrics(), sources };
  const app = await appWith(live);
  try {
    assert.equal((await pipeline.scrapeOnce("fd")).accepted, 3);
    body = CSV.replace("1.25,6.5,11", "1.3,6.5,11");
    assert.equal((await pipeline.scrapeOnce("fd")).changed, 1);

    const up = await app.request("/api/v1/matches/upcoming");
    assert.equal(up.status, 200);
    const list = await up.json();
    assert.equal(list.count, 3);
    assert.equal(list.demo, false);
    assert.deepEqual(list.matches.map((m: { home_team: string }) => m.home_team), [
      "Manchester City",
      "Arsenal",
      "Barcelona",
    ]);
    assert.equal(list.matches[0].odds.x12.home, 1.3);
    assert.equal(list.matches[0].opening_odds.x12.home, 1.25);
    assert.equal(list.matches[0].source, "fd");
    assert.ok(list.matches[0].prediction.probabilities.home_win > 0.5);
    // The score matrix only when asked for, as for POST /api/v1/predictions.
    assert.equal("score_matrix" in list.matches[0].prediction, false);
    const withMatrix = await (await app.request("/api/v1/matches/upcoming?include=score_matrix"))
      .json();
    assert.equal(withMatrix.matches[0].prediction.score_matrix.length, 11);
    assert.deepEqual(
      withMatrix.matches[0].prediction.probabilities,
      list.matches[0].prediction.probabilities,
    );
    const unknownPart = await app.request("/api/v1/matches/upcoming?include=everything");
    assert.equal(unknownPart.status, 422);
    assert.match((await unknownPart.json()).error.message, /include.*"score_matrix"/);

    const epl = await (await app.request("/api/v1/matches/upcoming?league=epl")).json();
    assert.equal(epl.count, 2);
    const bad = await app.request("/api/v1/matches/upcoming?league=moon");
    assert.equal(bad.status, 422);
    const badError = (await bad.json()).error;
    assert.equal(badError.code, "unknown_league", "the same answer as in a prediction");
    assert.equal(badError.details[0].path, "league");

    const id = list.matches[0].id;
    assert.equal(id, "england-premier-league:2026-12-05:manchester-city:burnley");
    const one = await app.request(`/api/v1/matches/${encodeURIComponent(id)}`);
    assert.equal(one.status, 200);
    const detail = await one.json();
    assert.equal(detail.match.id, id);
    assert.equal(detail.match.prediction.home_team, "Manchester City");
    assert.equal("score_matrix" in detail.match.prediction, false);
    const full = await (await app.request(
      `/api/v1/matches/${encodeURIComponent(id)}?include=score_matrix`,
    )).json();
    assert.equal(full.match.prediction.score_matrix.length, 11);
    assert.deepEqual(
      detail.history.map((h: { odds: { x12: { home: number } } }) => h.odds.x12.home),
      [1.25, 1.3],
    );
    assert.equal(detail.sources[0].source, "fd");
    const missing = await app.request("/api/v1/matches/nope");
    assert.equal(missing.status, 404);
    await missing.body?.cancel();

    // Arsenal at 12.0 against Manchester United: the model sees value on the home side.
    const vb = await (await app.request("/api/v1/value-bets")).json();
    const arsenal = vb.value_bets.find((b: { home_team: string; selection: string }) =>
      b.home_team === "Arsenal" && b.selection === "home"
    );
    assert.ok(arsenal, JSON.stringify(vb));
    assert.equal(arsenal.odds, 12);
    assert.ok(arsenal.edge > 1);
    const filtered = await (await app.request("/api/v1/value-bets?league=laliga&min_edge=0.05"))
      .json();
    assert.ok(
      filtered.value_bets.every((b: { league: string; edge: number }) =>
        b.league === "spain-laliga" && b.edge >= 0.05
      ),
    );
    const capped = await (await app.request("/api/v1/value-bets?max_odds=5")).json();
    assert.ok(capped.value_bets.every((b: { odds: number }) => b.odds <= 5));
    assert.ok(!capped.value_bets.some((b: { odds: number }) => b.odds === 12));
    for (const q of ["min_edge=abc", "min_odds=0.5", "min_odds=3&max_odds=2", "league=nowhere"]) {
      const r = await app.request(`/api/v1/value-bets?${q}`);
      assert.equal(r.status, 422, q);
      await r.body?.cancel();
    }
  } finally {
    controller.abort();
    await pipeline.done;
    await server.shutdown();
  }
});

Deno.test("live REST endpoints: 503 when live odds are not running", async () => {
  const app = await appWith(undefined);
  for (const path of ["/api/v1/matches/upcoming", "/api/v1/matches/x", "/api/v1/value-bets"]) {
    const res = await app.request(path);
    assert.equal(res.status, 503, path);
    assert.equal((await res.json()).error.code, "live_unavailable");
  }
});
