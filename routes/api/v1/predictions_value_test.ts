/**
 * Value bets of `POST /api/v1/predictions` against the committed models and policy, through the
 * app: for random requests with one or several books, every value bet's probability is the one
 * the answer shows for its selection in the forecast it names, its edge is probability x price
 * - 1, and its price is the best one a book offered.
 * @module
 */
import assert from "node:assert/strict";
import { createOnnxEngine } from "../../../server/ml/onnx_engine.ts";
import { createModelRegistry } from "../../../server/ml/registry.ts";
import type { Prediction } from "../../../server/domain/prediction.ts";
import { loadValuePolicy } from "../../../server/predict/value_policy.ts";
import { createTestApp } from "../../../server/testing/test_app.ts";
import { mulberry32 } from "../../../server/live/demo_bookmaker.ts";

const MODELS = new URL("../../../models/", import.meta.url).pathname;
const LEAGUES = ["england-premier-league", "germany-bundesliga", "spain-laliga"];
const BOOK_NAMES = ["Pinnacle", "bet365", "PINNACLE", "William Hill", "Slowbet", "Interwetten"];
const FIELDS = ["home", "draw", "away", "over_2_5", "under_2_5", "btts_yes", "btts_no"] as const;
type Field = typeof FIELDS[number];

/** Prices of a book around probabilities `p`, with a margin and noise, rounded to 2 decimals. */
function pricesOf(rand: () => number, p: number[]): number[] {
  const margin = 1.02 + rand() * 0.08;
  return p.map((x) => Math.max(1.01, Math.round(100 / (x * margin * (0.85 + rand() * 0.3))) / 100));
}

function randomBook(rand: () => number): Record<Field, number | undefined> {
  const h = 0.2 + rand() * 0.55, d = 0.2 + rand() * 0.1;
  const [home, draw, away] = pricesOf(rand, [h, d, Math.max(0.05, 1 - h - d)]);
  const book: Record<Field, number | undefined> = {
    home,
    draw,
    away,
    over_2_5: undefined,
    under_2_5: undefined,
    btts_yes: undefined,
    btts_no: undefined,
  };
  const over = 0.35 + rand() * 0.3, yes = 0.4 + rand() * 0.2;
  if (rand() < 0.6) [book.over_2_5, book.under_2_5] = pricesOf(rand, [over, 1 - over]);
  if (rand() < 0.4) [book.btts_yes, book.btts_no] = pricesOf(rand, [yes, 1 - yes]);
  if (rand() < 0.15) book.under_2_5 = undefined; // a half-priced market
  return book;
}

function without(book: Record<Field, number | undefined>) {
  return Object.fromEntries(Object.entries(book).filter(([, v]) => v !== undefined));
}

/** The probability an answer shows for a selection in its forecast. */
function shown(p: Prediction, market: string, selection: string): number {
  const key = `${market}:${selection}`;
  const table: Record<string, number> = {
    "1x2:home": p.probabilities.home_win,
    "1x2:draw": p.probabilities.draw,
    "1x2:away": p.probabilities.away_win,
    "totals_2_5:over": p.markets.over_under_2_5.over,
    "totals_2_5:under": p.markets.over_under_2_5.under,
    "btts:yes": p.markets.btts.yes,
    "btts:no": p.markets.btts.no,
  };
  assert.ok(key in table, `unknown selection "${key}"`);
  return table[key];
}

const FIELD_OF: Record<string, Field> = {
  "1x2:home": "home",
  "1x2:draw": "draw",
  "1x2:away": "away",
  "totals_2_5:over": "over_2_5",
  "totals_2_5:under": "under_2_5",
  "btts:yes": "btts_yes",
  "btts:no": "btts_no",
};

async function withApp(fn: (post: (body: unknown) => Promise<Response>) => Promise<void>) {
  const registry = createModelRegistry({ dir: MODELS, skipRemote: true });
  await registry.init();
  const engine = createOnnxEngine(registry, { policy: await loadValuePolicy(MODELS) });
  const t = await createTestApp({ engine, env: { ENABLE_RATE_LIMITING: "false" } });
  try {
    await fn(async (body) =>
      await t.app.request("/api/v1/predictions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    );
  } finally {
    await t.close();
    await registry.close();
  }
}

Deno.test("POST /api/v1/predictions: the value bet of Arsenal v Aston Villa uses the probability shown", async () => {
  await withApp(async (post) => {
    const res = await post({
      league: "EPL",
      home_team: "Arsenal",
      away_team: "Aston Villa",
      odds: { home: 2.6, draw: 3.4, away: 2.7 },
    });
    assert.equal(res.status, 200);
    const p = await res.json() as Prediction;
    assert.equal(p.forecast.name, "fair");
    assert.ok(p.forecasts.results_only.home_win > 0, "the results-only forecast is shown too");
    assert.ok(Math.abs(p.fair_odds.home - 1 / p.probabilities.home_win) < 1e-12);
    for (const bet of p.value_bets) {
      assert.equal(bet.forecast, "fair");
      assert.equal(bet.bookmaker, "odds");
      assert.equal(bet.probability, shown(p, bet.market, bet.selection));
      assert.ok(Math.abs(bet.fair_odds - 1 / bet.probability) < 1e-12);
    }
  });
});

Deno.test("POST /api/v1/predictions: value bets match the shown forecast for random requests", async () => {
  await withApp(async (post) => {
    const registry = createModelRegistry({ dir: MODELS, skipRemote: true });
    await registry.init();
    const teams = Object.fromEntries(
      LEAGUES.map((l) => [l, registry.card(l)!.teams.map((t) => t.name)]),
    );
    await registry.close();
    const rand = mulberry32(19);
    let bets = 0, several = 0, pinnacle = 0;
    for (let i = 0; i < 160; i++) {
      const league = LEAGUES[Math.floor(rand() * LEAGUES.length)];
      const names = teams[league];
      const home = names[Math.floor(rand() * names.length)];
      let away = names[Math.floor(rand() * names.length)];
      if (away === home) away = names[(names.indexOf(home) + 1) % names.length];
      const body: Record<string, unknown> = { league, home_team: home, away_team: away };
      const count = Math.floor(rand() * 5);
      const books: Record<Field, number | undefined>[] = [];
      if (count > 0) {
        const chosen = [...BOOK_NAMES].sort(() => rand() - 0.5)
          .filter((n, k, all) => all.findIndex((m) => m.toLowerCase() === n.toLowerCase()) === k)
          .slice(0, count);
        body.bookmakers = chosen.map((name) => {
          const book = randomBook(rand);
          books.push(book);
          return { name, ...without(book) };
        });
        if (chosen.some((n) => n.toLowerCase() === "pinnacle")) pinnacle++;
      }
      if (count === 0 || rand() < 0.3) {
        const book = randomBook(rand);
        books.push(book);
        body.odds = without(book);
      }
      if (books.length > 1) several++;
      const res = await post(body);
      assert.equal(res.status, 200, `request ${i}: ${await res.clone().text()}`);
      const p = await res.json() as Prediction;
      assert.equal(p.forecast.name, "fair", `request ${i}`);
      for (const bet of p.value_bets) {
        bets++;
        const at = `request ${i} ${bet.market}/${bet.selection}`;
        assert.equal(bet.forecast, p.forecast.name, at);
        assert.equal(bet.probability, shown(p, bet.market, bet.selection), at);
        assert.ok(Math.abs(bet.edge - (bet.probability * bet.odds - 1)) < 1e-9, at);
        assert.ok(bet.edge >= p.value_policy.min_edge, at);
        const offered = books.map((b) => b[FIELD_OF[`${bet.market}:${bet.selection}`]])
          .filter((o): o is number => o !== undefined);
        assert.equal(bet.odds, Math.max(...offered), `${at}: the best price`);
      }
      for (const q of p.best_prices) {
        assert.equal(q.probability, shown(p, q.market, q.selection), `request ${i}`);
        assert.ok(Math.abs(q.edge - (q.probability * q.odds - 1)) < 1e-9, `request ${i}`);
      }
    }
    // The property was exercised: value bets, several books, and Pinnacle as the reference.
    assert.ok(bets >= 30, `${bets} value bets`);
    assert.ok(several >= 40, `${several} requests with several books`);
    assert.ok(pinnacle >= 20, `${pinnacle} requests with Pinnacle`);
  });
});

Deno.test("POST /api/v1/predictions: bookmakers are validated with the one error shape", async (t) => {
  await withApp(async (post) => {
    const base = { league: "EPL", home_team: "Arsenal", away_team: "Chelsea" };
    const cases: [string, unknown, string][] = [
      ["price at 1", [{ name: "A", home: 1, draw: 3, away: 4 }], "bookmakers.0.home"],
      ["missing draw", [{ name: "A", home: 2, away: 4 }], "bookmakers.0.draw"],
      ["no name", [{ home: 2, draw: 3, away: 4 }], "bookmakers.0.name"],
      ["unknown field", [{ name: "A", home: 2, draw: 3, away: 4, over: 2 }], "bookmakers.0.over"],
      ["twice", [{ name: "A", home: 2, draw: 3, away: 4 }, {
        name: "a",
        home: 2,
        draw: 3,
        away: 4,
      }], "bookmakers.1.name"],
      ["empty", [], "bookmakers"],
      ["not a list", { name: "A" }, "bookmakers"],
    ];
    for (const [name, bookmakers, path] of cases) {
      await t.step(name, async () => {
        const res = await post({ ...base, bookmakers });
        assert.equal(res.status, 422);
        const { error } = await res.json();
        assert.equal(error.code, "validation_failed");
        assert.ok(
          error.details.some((d: { path: string }) => d.path === path),
          JSON.stringify(error.details),
        );
      });
    }
  });
});
