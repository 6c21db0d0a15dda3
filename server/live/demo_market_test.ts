import assert from "node:assert/strict";
import { fairProbabilities, normalise } from "../domain/margins.ts";
import { marketFair } from "../domain/value_bets.ts";
import { DEFAULT_VALUE_POLICY } from "../domain/value_policy.ts";
import { mulberry32 } from "./demo_bookmaker.ts";
import {
  bookOffsets,
  bookProgress,
  bookQuote,
  DEMO_BOOKS,
  type MarketPath,
  pathWeight,
  randomPath,
} from "./demo_market.ts";
import type { MarketMove } from "./demo_replay.ts";

const MOVE: MarketMove = {
  origin: "test",
  open: { x12: [0.45, 0.28, 0.27], totals: [0.5, 0.5], btts: [0.52, 0.48] },
  close: { x12: [0.55, 0.25, 0.2], totals: [0.56, 0.44], btts: [0.55, 0.45] },
};
const ONE_JUMP: MarketPath = { move: MOVE, jumps: [{ at: 0.3, size: 1 }] };
const book = (name: string) => DEMO_BOOKS.find((b) => b.name === name)!;
const x12 = (o: { x12: { home: number; draw: number; away: number } }) => [
  o.x12.home,
  o.x12.draw,
  o.x12.away,
];
const NO_OFFSETS = [0, 0, 0, 0, 0, 0, 0];

Deno.test("demo market: each book's overround is its margin, the sharp book's the lowest", () => {
  for (const b of DEMO_BOOKS) {
    const o = bookQuote(b, ONE_JUMP, bookOffsets(b, mulberry32(1)), 0.5);
    const overround = x12(o).reduce((a, p) => a + 1 / p, 0);
    assert.ok(Math.abs(overround - 1 - b.margin) < 0.01, `${b.name}: ${overround}`);
    const totals = 1 / o.over_2_5! + 1 / o.under_2_5!;
    assert.ok(Math.abs(totals - 1 - b.margin) < 0.01, `${b.name} totals: ${totals}`);
  }
  const margins = DEMO_BOOKS.map((b) => b.margin);
  assert.equal(Math.min(...margins), book("demo-sharp").margin);
  assert.ok(new Set(margins).size >= 3, "books differ in margin");
});

Deno.test("demo market: prices go from the replayed opening to the replayed closing", () => {
  const sharp = book("demo-sharp");
  const at = (p: number) => normalise(x12(bookQuote(sharp, ONE_JUMP, NO_OFFSETS, p)));
  const close = (a: number[], b: number[]) => a.every((p, i) => Math.abs(p - b[i]) < 0.006);
  assert.ok(close(at(0), MOVE.open.x12), `opening ${at(0)}`);
  assert.ok(close(at(0.29), MOVE.open.x12), "before the jump");
  assert.ok(close(at(0.31), MOVE.close.x12), "after the jump");
  assert.ok(close(at(1), MOVE.close.x12), `closing ${at(1)}`);
  const path = randomPath(MOVE, mulberry32(5));
  assert.equal(pathWeight(path, 0), 0);
  assert.equal(pathWeight(path, 1), 1);
  let last = 0;
  for (let p = 0; p <= 1; p += 0.01) {
    const w = pathWeight(path, p);
    assert.ok(w >= last, "the path never moves back");
    last = w;
  }
});

Deno.test("demo market: the sharp book moves first, the slow books follow later", () => {
  const firstMove = (name: string) => {
    const b = book(name);
    const opening = JSON.stringify(bookQuote(b, ONE_JUMP, NO_OFFSETS, 0));
    for (let i = 0; i <= 1000; i++) {
      if (JSON.stringify(bookQuote(b, ONE_JUMP, NO_OFFSETS, i / 1000)) !== opening) return i / 1000;
    }
    return Infinity;
  };
  const sharp = firstMove("demo-sharp"), slowA = firstMove("demo-slow-a");
  const slowB = firstMove("demo-slow-b");
  assert.ok(Math.abs(sharp - 0.3) < 0.002, `sharp moves with the market: ${sharp}`);
  assert.ok(slowA > sharp + 0.1, `slow-a later: ${slowA}`);
  assert.ok(slowB > slowA, `slow-b later still: ${slowB}`);
  assert.equal(bookProgress(book("demo-slow-b"), 0.25), 0, "stale until its lag has passed");
});

Deno.test("demo market: the soft book leans to the home side and overs", () => {
  const soft = book("demo-soft"), sharp = book("demo-sharp");
  const s = bookQuote(soft, ONE_JUMP, NO_OFFSETS, 0.5);
  const p = bookQuote(sharp, ONE_JUMP, NO_OFFSETS, 0.5);
  const shs = normalise(x12(s)), shp = normalise(x12(p));
  assert.ok(shs[0] > shp[0] + 0.02, "home shorter than the sharp book's");
  assert.ok(s.x12.away > p.x12.away, "so the away price is longer");
  assert.ok(s.under_2_5! > p.under_2_5!, "and the under price too");
});

Deno.test("demo market: fair prices come from the sharp book, as real ones from Pinnacle", () => {
  // Mid-life, after the jump: the slow books still show the opening, the sharp one the closing.
  const books = DEMO_BOOKS.map((b) => ({
    name: b.name,
    ...bookQuote(b, ONE_JUMP, bookOffsets(b, mulberry32(3)), 0.35).x12,
  }));
  const fair = marketFair(books, "1x2", DEFAULT_VALUE_POLICY)!;
  assert.equal(fair.source, "pinnacle");
  assert.equal(fair.books, DEMO_BOOKS.length);
  const sharp = books.find((b) => b.name === book("demo-sharp").name)!;
  const method = DEFAULT_VALUE_POLICY.fair.margin_removal;
  assert.deepEqual(
    fair.probabilities,
    fairProbabilities([sharp.home, sharp.draw, sharp.away], method),
  );
});
