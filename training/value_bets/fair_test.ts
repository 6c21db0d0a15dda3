import assert from "node:assert/strict";
import type { BookmakerPrices } from "../../server/domain/bookmakers.ts";
import { fairProbabilities } from "../../server/domain/margins.ts";
import { marketForecast } from "../../server/domain/market_answer.ts";
import { selectionQuotes } from "../../server/domain/value_bets.ts";
import {
  DEFAULT_VALUE_POLICY,
  POLICY_MARGIN_METHODS,
  type ValuePolicy,
} from "../../server/domain/value_policy.ts";
import { type BookmakerMatch, loadBookmakerMatches } from "../data/bookmaker_prices.ts";
import { hasSharedData, sharedDataDir } from "../data/data_dir.ts";
import { matchCandidates } from "./candidates.ts";
import { booksFair } from "./fair.ts";

const close = (a: readonly number[], b: readonly number[], tol = 1e-9) =>
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < tol, `${a} vs ${b}`));

const BOOKS = [
  { book: "B365", prices: [1.6, 4, 5] },
  { book: "PS", prices: [1.7, 4.1, 5.3] },
  { book: "WH", prices: [1.55, 4.2, 5.5] },
];

Deno.test("booksFair: football-data's PS is Pinnacle, the sharp reference, by every method", () => {
  for (const method of POLICY_MARGIN_METHODS) {
    const fair = booksFair(BOOKS, method)!;
    assert.equal(fair.source, "pinnacle");
    assert.equal(fair.books, 3);
    assert.deepEqual(fair.probabilities, fairProbabilities([1.7, 4.1, 5.3], method));
  }
});

Deno.test("booksFair: known values of Shin, power and normalising", () => {
  const books = [{ book: "PS", prices: [1.6, 4, 5] }];
  close(booksFair(books, "normalise")!.probabilities, [0.625 / 1.075, 0.25 / 1.075, 0.2 / 1.075]);
  close(booksFair(books, "power")!.probabilities, [0.6014416849, 0.2232145690, 0.1753437461]);
  close(booksFair(books, "shin")!.probabilities, [0.5951715907, 0.2268989936, 0.1779294158]);
});

Deno.test("booksFair: without Pinnacle, the mean of every book's fair probabilities", () => {
  const others = BOOKS.filter((b) => b.book !== "PS");
  const fair = booksFair(others, "power")!;
  assert.equal(fair.source, "consensus");
  const a = fairProbabilities(others[0].prices, "power"),
    b = fairProbabilities(others[1].prices, "power");
  close(fair.probabilities, a.map((x, i) => (x + b[i]) / 2));
  assert.ok(Math.abs(fair.probabilities.reduce((s, x) => s + x, 0) - 1) < 1e-12);
  assert.equal(booksFair([], "shin"), undefined);
});

/**
 * The books of a match as a prediction request sends them: named by the user ("pinnacle" in any
 * case), 1X2 required, totals where the book quoted them.
 */
function requestBooks(m: BookmakerMatch): BookmakerPrices[] | undefined {
  const x12 = new Map(m.x12.map((b) => [b.book, b.prices]));
  if (m.totals25.some((b) => !x12.has(b.book))) return undefined;
  return m.x12.map((b) => {
    const totals = m.totals25.find((t) => t.book === b.book)?.prices;
    const [home, draw, away] = b.prices;
    return {
      name: b.book === "PS" ? " pinnacle" : b.book,
      home,
      draw,
      away,
      ...(totals ? { over_2_5: totals[0], under_2_5: totals[1] } : {}),
    };
  });
}

const SEASON = `${sharedDataDir()}/bookmakers/E0/2019-20.csv`;

Deno.test({
  name:
    "booksFair: the backtest and serving give the same fair probabilities and edges on real rows",
  ignore: !(await hasSharedData()),
  fn: async (t) => {
    const loaded = (await loadBookmakerMatches(SEASON)).matches;
    // Every other match without Pinnacle, so the consensus path is compared too.
    const matches = loaded.map((m, i) =>
      i % 2 === 0 ? m : {
        ...m,
        x12: m.x12.filter((b) => b.book !== "PS"),
        totals25: m.totals25.filter((b) => b.book !== "PS"),
      }
    );
    for (const method of POLICY_MARGIN_METHODS) {
      for (const weight of [0, 0.3]) {
        await t.step(`${method}, model weight ${weight}`, () => {
          const policy: ValuePolicy = {
            ...DEFAULT_VALUE_POLICY,
            fair: { ...DEFAULT_VALUE_POLICY.fair, margin_removal: method, model_weight: weight },
          };
          const model = { x12: [0.47, 0.26, 0.27], over25: 0.55 };
          const served = {
            outcome: [0.47, 0.26, 0.27] as [number, number, number],
            // The backtest's model gives over 2.5 only; under is its complement.
            overUnder25: () => ({ over: 0.55, under: 1 - 0.55 }),
            btts: () => ({ yes: 0.5, no: 0.5 }),
          };
          let compared = 0;
          const sources = new Set<string>();
          for (const m of matches) {
            const books = requestBooks(m);
            if (!books) continue;
            const { probabilities, forecast } = marketForecast(served, books, policy);
            const quotes = selectionQuotes(books, probabilities);
            for (const market of forecast.markets) sources.add(market.source);
            const candidates = matchCandidates(m, {
              marginRemoval: method,
              model,
              modelWeight: weight,
            });
            for (const c of candidates) {
              const k = quotes.findIndex((q) =>
                q.market === c.market && q.selection === c.selection
              );
              assert.ok(k >= 0, `${m.match.id} ${c.market} ${c.selection} is served`);
              assert.equal(c.fair, quotes[k].probability, `${m.match.id} ${c.selection}`);
              assert.equal(c.price, quotes[k].odds);
              assert.equal(c.edge, quotes[k].edge);
              assert.equal(c.books, quotes[k].books);
              compared++;
            }
          }
          assert.ok(compared > 380 * 4, `${compared} selections compared`);
          assert.deepEqual([...sources].sort(), ["consensus", "pinnacle"]);
        });
      }
    }
  },
});
