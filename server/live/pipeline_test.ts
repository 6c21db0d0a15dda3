import assert from "node:assert/strict";
import { createPredictionService } from "../predict/prediction_service.ts";
import { canonicalTeam } from "../domain/team_aliases.ts";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import type { LiveEvent } from "./broker.ts";
import { startDemoBookmaker } from "./demo_bookmaker.ts";
import { createMemoryOddsStore } from "./odds_store.ts";
import { createLivePipeline } from "./pipeline.ts";
import { createSourceMetrics } from "./source_metrics.ts";
import { demoSources, type SourceConfig } from "./sources.ts";
import { createRedisOddsStore } from "../fleet/redis_odds_store.ts";
import { REDIS_SERVER, until, withPrivateRedis } from "../fleet/test_redis.ts";

const T0 = new Date("2026-12-01T12:00:00Z");
/** The demo book these tests scrape. */
const SHARP = "demo-sharp";
const TEAMS = [
  "Manchester City",
  "Manchester United",
  "Liverpool",
  "Arsenal",
  "Burnley",
  "Norwich",
];

/** A demo bookmaker listing the memory engine's Premier League teams. */
async function demoWithKnownTeams() {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/england-premier-league`);
  await Deno.writeTextFile(
    `${dir}/england-premier-league/model.json`,
    JSON.stringify({ teams: TEAMS }),
  );
  const demo = await startDemoBookmaker({ modelsDir: dir, tickMs: 0, now: () => T0, seed: 11 });
  return {
    demo,
    close: async () => {
      await demo.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Pipeline options of a test that scrapes by hand at {@link T0} with the memory engine. */
function scrapedByHand(signal: AbortSignal, metrics: ReturnType<typeof createSourceMetrics>) {
  return {
    predictions: createPredictionService(createMemoryEngine()),
    signal,
    metrics,
    canonicalTeam,
    now: () => T0,
    start: false,
  };
}

function recorder() {
  const events: LiveEvent[] = [];
  return { events, publish: (e: LiveEvent) => Promise.resolve(void events.push(e)) };
}

Deno.test("pipeline: publishes odds on a price change, nothing when unchanged, value bets open and close", async () => {
  const { demo, close } = await demoWithKnownTeams();
  const controller = new AbortController();
  const broker = recorder();
  const store = createMemoryOddsStore({ now: () => T0 });
  const metrics = createSourceMetrics();
  const pipeline = createLivePipeline({
    sources: demoSources(demo),
    store,
    predictions: createPredictionService(createMemoryEngine()),
    broker,
    signal: controller.signal,
    metrics,
    canonicalTeam,
    now: () => T0,
    start: false,
  });
  try {
    const first = await pipeline.scrapeOnce(SHARP);
    assert.equal(first.ok, true, String(first.error));
    assert.equal(first.accepted, 3);
    assert.equal(first.changed, 3);
    const odds = broker.events.filter((e) => e.type === "odds");
    assert.equal(odds.length, 3);
    for (const e of odds) {
      assert.equal(e.match.source, SHARP);
      assert.equal(e.previous, null);
      assert.ok(e.match.prediction, "each odds event carries the prediction");
      assert.equal("score_matrix" in e.match.prediction, false, "as a summary");
      assert.equal("markets" in e.match.prediction, false, "as a summary");
    }

    broker.events.length = 0;
    const again = await pipeline.scrapeOnce(SHARP);
    assert.equal(again.changed, 0);
    assert.equal(broker.events.length, 0, "unchanged prices publish nothing");

    // A generous home price opens a value bet on the home side.
    const quiet = odds.find((e) =>
      e.type === "odds" && !e.match.value_bets.some((b) => b.selection === "home")
    );
    assert.ok(quiet && quiet.type === "odds", "a match with no home value bet yet");
    const target = demo.fixtures().find((f) => f.home_team === quiet.match.home_team)!;
    demo.setPrice(target.id, { x12: { home: 25 } });
    const moved = await pipeline.scrapeOnce(SHARP);
    assert.equal(moved.changed, 1);
    const [oddsEvent, ...rest] = broker.events;
    assert.equal(oddsEvent.type, "odds");
    assert.ok(oddsEvent.type === "odds");
    assert.equal(oddsEvent.match.home_team, target.home_team);
    assert.equal(oddsEvent.match.odds.x12.home, 25);
    assert.deepEqual(oddsEvent.previous, target.odds);
    assert.deepEqual(oddsEvent.match.opening_odds, target.odds);
    const open = rest.find((e) => e.type === "value_bet" && e.bet.selection === "home");
    assert.ok(open && open.type === "value_bet");
    assert.equal(open.bet.action, "open");
    assert.equal(open.bet.odds, 25);
    assert.ok(open.bet.edge > 0.5);
    assert.equal(open.bet.match_id, oddsEvent.match.id);
    assert.ok(
      (await pipeline.valueBets()).some((b) =>
        b.match_id === open.bet.match_id && b.selection === "home"
      ),
    );

    broker.events.length = 0;
    demo.setPrice(target.id, { x12: target.odds.x12 });
    await pipeline.scrapeOnce(SHARP);
    const closed = broker.events.find((e) => e.type === "value_bet" && e.bet.selection === "home");
    assert.ok(closed && closed.type === "value_bet");
    assert.equal(closed.bet.action, "close");
    assert.ok(
      !(await pipeline.valueBets()).some((b) =>
        b.match_id === open.bet.match_id && b.selection === "home"
      ),
    );

    const stats = metrics.snapshot()[SHARP];
    assert.equal(stats.requests, 4);
    assert.equal(stats.rows_accepted, 12);
    assert.equal(stats.breaker, "closed");
    assert.equal((await store.history(oddsEvent.match.id)).length, 3);
  } finally {
    controller.abort();
    await pipeline.done;
    await close();
  }
});

Deno.test("pipeline: garbage pages and broken rows are counted and the loop keeps running", async () => {
  const pages = [
    "<html><body>maintenance \u0000 <table><tr><td>???</td></tr></table>",
    "Div,Date,Time,HomeTeam,AwayTeam,AvgH,AvgD,AvgA\nE0,05/12/2026,15:00,Arsenal,Chelsea,2.1,3.4,3.5\n" +
    "E0,05/12/2026,15:00,Leeds,,2,3,4\nE0,xx,15:00,Fulham,Everton,2,3,4\nZZ,05/12/2026,15:00,A,B,2,3,4\n",
    "not,a,fixtures,file\n1,2,3,4\n",
    "Div,Date,Time,HomeTeam,AwayTeam,AvgH,AvgD,AvgA\nE0,05/12/2026,15:00,Arsenal,Chelsea,2.2,3.4,3.5\n",
  ];
  let served = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    return new Response(pages[Math.min(served++, pages.length - 1)]);
  });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const sources: SourceConfig[] = [
    { name: "fd", url, interval_ms: 60_000, parser: "football-data-csv" },
  ];
  const controller = new AbortController();
  const broker = recorder();
  const metrics = createSourceMetrics();
  let loops = 0;
  const pipeline = createLivePipeline({
    sources,
    store: createMemoryOddsStore({ now: () => T0 }),
    predictions: createPredictionService(createMemoryEngine()),
    broker,
    signal: controller.signal,
    metrics,
    now: () => T0,
    // The loop's wait between scrapes: stop after the fourth scrape instead of sleeping.
    sleep: (ms, signal) => {
      assert.equal(ms, 60_000);
      if (++loops >= 4) controller.abort();
      return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
    },
    cleanupEveryMs: 3_600_000,
    log: () => {},
  });
  try {
    await pipeline.done;
    assert.equal(served, 4, "the loop scraped four times");
    const s = metrics.snapshot().fd;
    assert.equal(s.requests, 4);
    assert.equal(s.failures, 0, "a bad page is not a transport failure");
    assert.equal(s.rows_accepted, 2);
    // page 1: not a CSV (1); page 2: 3 broken rows; page 3: not a CSV (1)
    assert.equal(s.rows_rejected, 5);
    const report = pipeline.status().sources[0].last_report;
    assert.equal(report?.ok, true);
    assert.equal(report?.changed, 1);
    const odds = broker.events.filter((e) => e.type === "odds");
    assert.equal(odds.length, 2);
    assert.ok(odds[1].type === "odds" && odds[1].previous?.x12.home === 2.1);
  } finally {
    controller.abort();
    await pipeline.done;
    await server.shutdown();
  }
});

Deno.test("pipeline: the live prediction request carries every demo book of a match", async () => {
  const { demo, close } = await demoWithKnownTeams();
  const controller = new AbortController();
  const service = createPredictionService(createMemoryEngine());
  const requests: { home_team: string; bookmakers?: { name: string; home: number }[] }[] = [];
  const predictions = Object.assign(Object.create(service), {
    predict: (request: Parameters<typeof service.predict>[0]) => {
      requests.push(structuredClone(request) as (typeof requests)[number]);
      return service.predict(request);
    },
  }) as typeof service;
  const sources = demoSources(demo);
  const pipeline = createLivePipeline({
    sources,
    store: createMemoryOddsStore({ now: () => T0 }),
    predictions,
    signal: controller.signal,
    metrics: createSourceMetrics(),
    canonicalTeam,
    now: () => T0,
    start: false,
    log: () => {},
  });
  try {
    for (const s of sources) await pipeline.scrapeOnce(s.name);
    const f = demo.fixtures()[0];
    const last = requests.findLast((r) => r.home_team === f.home_team)!;
    assert.deepEqual(
      last.bookmakers?.map((b) => b.name).sort(),
      demo.books.map((b) => b.name).sort(),
      "one named book per source",
    );
    for (const b of demo.books) {
      const book: { home: number } = last.bookmakers!.find((x) => x.name === b.name)!;
      assert.equal(book.home, demo.fixtures(b.name)[0].odds.x12.home);
    }
  } finally {
    controller.abort();
    await pipeline.done;
    await close();
  }
});

Deno.test({
  name: "pipeline: a Redis outage is the store failing, counted apart, never the source",
  ignore: !REDIS_SERVER,
  fn: () =>
    withPrivateRedis(async (server, redis) => {
      const { demo, close } = await demoWithKnownTeams();
      const controller = new AbortController();
      const lines: string[] = [];
      const metrics = createSourceMetrics();
      const pipeline = createLivePipeline({
        sources: demoSources(demo),
        store: createRedisOddsStore(redis),
        ...scrapedByHand(controller.signal, metrics),
        log: (m) => lines.push(m),
      });
      try {
        assert.equal((await pipeline.scrapeOnce(SHARP)).changed, 3);
        await server.stop();
        await until(() => redis.state === "degraded");
        const away = await pipeline.scrapeOnce(SHARP);
        assert.equal(away.ok, true, "the source answered");
        assert.equal(away.error, undefined);
        assert.match(away.store_error ?? "", /^Cannot reach Redis: /);
        assert.equal(metrics.snapshot()[SHARP].store_failures, 1);
        assert.equal(metrics.snapshot()[SHARP].failures, 0);
        await server.start();
        await until(() => redis.isUp);
        const back = await pipeline.scrapeOnce(SHARP);
        assert.equal(back.store_error, undefined);
        // Redis came back empty: every match is new again.
        assert.equal(back.changed, 3);
        assert.deepEqual(lines, [], "neither failing nor recovered");
      } finally {
        controller.abort();
        await pipeline.done;
        await close();
      }
    }, { maxBackoffMs: 50 }),
});

Deno.test("pipeline: one football-data scrape stores every book; the value bet names the best, Pinnacle is fair", async () => {
  const csv = [
    "Div,Date,Time,HomeTeam,AwayTeam,B365H,B365D,B365A,BWH,BWD,BWA,PSH,PSD,PSA,WHH,WHD,WHA,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA",
    // William Hill's home price is far above the others: the value bet must name it.
    "E0,05/12/2026,15:00,Arsenal,Liverpool,2.3,3.4,3.1,2.35,3.3,3.05,2.4,3.45,3.2,25,3.3,3.1,25,3.45,3.2,8.5,3.4,3.1",
  ].join("\n");
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(csv),
  );
  const controller = new AbortController();
  const store = createMemoryOddsStore({ now: () => T0 });
  const metrics = createSourceMetrics();
  const pipeline = createLivePipeline({
    sources: [{
      name: "football-data",
      url: `http://127.0.0.1:${server.addr.port}/`,
      interval_ms: 60_000,
      parser: "football-data-csv",
    }],
    store,
    ...scrapedByHand(controller.signal, metrics),
    log: () => {},
  });
  try {
    const report = await pipeline.scrapeOnce("football-data");
    assert.equal(report.ok, true, String(report.error));
    assert.equal(report.accepted, 4);
    const [match] = await store.upcoming();
    assert.deepEqual(match.quotes.map((q) => q.source).sort(), [
      "football-data/bet365",
      "football-data/bwin",
      "football-data/pinnacle",
      "football-data/william-hill",
    ]);
    // Health and metrics stay per scrape source.
    assert.deepEqual(Object.keys(metrics.snapshot()), ["football-data"]);
    assert.equal(metrics.snapshot()["football-data"].rows_accepted, 4);
    const prediction = await pipeline.predict(match);
    assert.ok(prediction, "the match is predicted");
    const x12 = prediction.forecast.markets.find((m) => m.market === "1x2");
    assert.equal(x12?.source, "pinnacle", "Pinnacle's price is the fair reference");
    assert.equal(x12?.books, 4);
    const home = (await pipeline.valueBets()).find((b) => b.selection === "home");
    assert.ok(home, "a value bet on the home side");
    assert.equal(home.bookmaker, "football-data/william-hill");
    assert.equal(home.odds, 25);
  } finally {
    controller.abort();
    await pipeline.done;
    await server.shutdown();
  }
});
