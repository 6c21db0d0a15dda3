/**
 * One threshold: with the served policy (`models/value_policy.json`) and the committed ONNX
 * models, a value bet whose edge is between the policy's open edge and the 3 % the alert engine
 * once used on its own is a badge, an entry of `/api/v1/value-bets` and one alert carrying its
 * bucket's expected closing line value; it stays open (no badge) between the close and the open
 * edge, and closes below the close edge.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { ValueBet } from "../domain/prediction.ts";
import { edgeBucket } from "../domain/value_policy.ts";
import { createOnnxEngine } from "../ml/onnx_engine.ts";
import { createModelRegistry } from "../ml/registry.ts";
import { createApp } from "../http/app.ts";
import { loadConfig } from "../ops/config.ts";
import { createMemoryLogger } from "../ops/logger.ts";
import { createMetrics } from "../ops/metrics.ts";
import { loadValuePolicy, overridePolicy, ValuePolicyError } from "../predict/value_policy.ts";
import { closeServices, createPredictions, createServices } from "../services/services.ts";
import { alertFilterOf } from "./alerts.ts";
import { DEMO_BOOKS } from "./demo_market.ts";
import { matchBookmakers } from "./live_predictor.ts";
import { openLiveServices } from "./live_services.ts";

const MODELS = fileURLToPath(new URL("../../models", import.meta.url));

Deno.test("live: alerts, badges and /api/v1/value-bets follow the served policy's edges", async () => {
  const policy = await loadValuePolicy(MODELS);
  assert.ok(policy.min_edge < 0.03 && policy.close_edge < policy.min_edge, "the served policy");
  const kv = await Deno.openKv(":memory:");
  const registry = createModelRegistry({ dir: MODELS, skipRemote: true });
  await registry.init();
  const engine = createOnnxEngine(registry, { policy });
  const abort = new AbortController();
  const metrics = createMetrics({ defaultMetrics: false });
  const config = loadConfig({
    LOG_LEVEL: "error",
    DEMO_TICK_MS: "100000",
    DEMO_SCRAPE_MS: "100000",
    MODEL_DIR: MODELS,
  });
  const predictions = createPredictions({ config, engine, metrics });
  const layer = await openLiveServices({
    predictions,
    policy,
    kv,
    signal: abort.signal,
    config,
    log: () => {},
  });
  const services = createServices({
    config,
    kv,
    engine,
    logger: createMemoryLogger("error"),
    metrics,
    predictions,
    live: layer,
  });
  const app = await createApp(services);
  const demo = layer.feed.demo!;
  const soft = DEMO_BOOKS[DEMO_BOOKS.length - 1].name;
  try {
    assert.deepEqual(layer.alerts.filter, alertFilterOf(policy));
    // The feed scraped the replayed market on start, which may have opened alerts: every book is
    // pinned at the same prices, and the test follows a fixture whose away bet never opened.
    const base = { home: 2.0, draw: 3.6, away: 4.0 };
    for (const f of demo.fixtures()) demo.setPrice(f.id, { x12: base });
    for (const b of DEMO_BOOKS) await layer.feed.pipeline.scrapeOnce(b.name);
    await layer.alerts.refresh();
    const alerted = new Set(
      layer.alerts.list({ limit: 1000 }).alerts.filter((a) => a.selection === "away").map((a) =>
        a.match_id
      ),
    );
    const upcoming = await layer.feed.store.upcoming();
    const stored = upcoming.find((m) => !alerted.has(m.id))!;
    const fixture = demo.fixtures().find((f) =>
      f.home_team === stored?.home_team && f.away_team === stored.away_team
    )!;
    assert.ok(stored, "the fixture is in the odds store");

    // The soft book's away price raised step by step: the first two-decimal price whose
    // best-price edge is in [lo, hi), found through the prediction service the pipeline uses.
    const awayPriceFor = async (lo: number, hi: number): Promise<number> => {
      const current = (await layer.feed.store.get(stored.id))!;
      for (let cents = base.away * 100; cents < 100 * policy.max_odds; cents++) {
        const books = matchBookmakers(current).map((b) =>
          b.name === soft ? { ...b, away: cents / 100 } : b
        );
        const { prediction } = await predictions.predict({
          league: stored.league,
          home_team: stored.home_team,
          away_team: stored.away_team,
          kickoff: stored.kickoff,
          bookmakers: books,
        });
        const q = prediction.best_prices.find((q) => q.market === "1x2" && q.selection === "away")!;
        if (q.edge >= hi) break;
        if (q.bookmaker === soft && q.edge >= lo) return cents / 100;
      }
      throw new Error(`No soft-book away price gives an edge from ${lo} to ${hi}`);
    };
    const side = "away";
    const show = async (odds: number) => {
      demo.setPrice(fixture.id, { x12: { ...base, away: odds } }, soft);
      await layer.feed.pipeline.scrapeOnce(soft);
      await layer.alerts.refresh();
      const { match: view } =
        await (await app.request(`/api/v1/matches/${encodeURIComponent(stored.id)}`)).json();
      const listed = await (await app.request("/api/v1/value-bets?limit=1000")).json();
      const alerts = await (await app.request("/api/v1/alerts?limit=1000")).json();
      const mine = (b: { market: string; selection: string; match_id?: string }) =>
        b.market === "1x2" && b.selection === side && (b.match_id ?? stored.id) === stored.id;
      return {
        badges: (view.value_bets as ValueBet[]).filter(mine),
        listed: (listed.value_bets as (ValueBet & { match_id: string })[]).filter(mine),
        alerts: (alerts.alerts as {
          status: string;
          edge: number;
          expected_clv: number | null;
          expected_clv_ci95: [number, number] | null;
          match_id: string;
          market: string;
          selection: string;
        }[]).filter(mine),
      };
    };

    let seen = await show(base.away);
    assert.deepEqual([seen.badges, seen.listed, seen.alerts], [[], [], []], "no edge at first");
    const open = await awayPriceFor(policy.min_edge, 0.03);
    seen = await show(open);
    assert.equal(seen.badges.length, 1, "a badge at the policy's open edge");
    assert.equal(seen.listed.length, 1, "listed by /api/v1/value-bets");
    assert.equal(seen.alerts.length, 1, "one alert");
    const alert = seen.alerts[0];
    assert.equal(alert.status, "open");
    assert.ok(alert.edge >= policy.min_edge && alert.edge < 0.03, `edge ${alert.edge}`);
    const bucket = edgeBucket(policy, alert.edge)!;
    assert.equal(alert.expected_clv, bucket.mean_clv, "the bucket's expected CLV");
    assert.deepEqual(alert.expected_clv_ci95, bucket.mean_clv_ci95);

    seen = await show(await awayPriceFor(policy.close_edge, policy.min_edge));
    assert.equal(seen.badges.length, 0, "no badge below the open edge");
    assert.equal(seen.listed.length, 1, "still open between the close and the open edge");
    assert.deepEqual(seen.alerts.map((a) => a.status), ["open"], "the same alert, still open");

    seen = await show(base.away);
    assert.equal(seen.listed.length, 0, "closed below the close edge");
    assert.deepEqual(seen.alerts.map((a) => a.status), ["closed"], "one alert, closed");

    seen = await show(open);
    assert.deepEqual(seen.alerts.map((a) => a.status), ["open"], "reopened as the same alert");
  } finally {
    abort.abort();
    await layer.close();
    await closeServices(services);
    await registry.close();
    kv.close();
  }
});

Deno.test("overridePolicy: VALUE_MIN_EDGE and VALUE_CLOSE_EDGE replace the policy's edges", async () => {
  const policy = await loadValuePolicy(MODELS);
  assert.equal(overridePolicy(policy, {}), policy);
  const config = loadConfig({ VALUE_MIN_EDGE: "0.04", VALUE_CLOSE_EDGE: "0.02" });
  const both = overridePolicy(policy, config.valuePolicyOverride);
  assert.deepEqual([both.min_edge, both.close_edge], [0.04, 0.02]);
  assert.deepEqual(alertFilterOf(both).minEdge, 0.04, "alerts follow the override");
  const lower = overridePolicy(policy, { minEdge: 0.005 });
  assert.deepEqual([lower.min_edge, lower.close_edge], [0.005, 0.005], "close drops to open");
  assert.throws(
    () => overridePolicy(policy, { minEdge: 0.02, closeEdge: 0.03 }),
    (e) => e instanceof ValuePolicyError && /close_edge: Must be at most min_edge/.test(e.message),
  );
  assert.throws(() => loadConfig({ VALUE_MIN_EDGE: "lots" }), /VALUE_MIN_EDGE: Expected a number/);
});
