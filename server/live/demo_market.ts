/**
 * The demo market's books and how each prices a fixture. Every fixture replays one real
 * opening -> closing move (`demo_replay.ts`) over its life on the board: the market's fair
 * probabilities walk from the move's opening to its closing ones in a few seeded jumps. Each book
 * shows that path late by its `lag`, reprices only in steps of `step`, adds its own small per-match
 * offset, its lean (a soft book's home and over bias) and its margin. The sharp book shows the
 * path at once with a low margin; so value appears only where a book lags or leans away from it.
 * Nothing here looks at our model.
 * @module
 */
import type { MatchOdds } from "../domain/live_protocol.ts";
import { DEMO_SHARP_BOOK } from "../domain/value_bets.ts";
import type { FairSnapshot, MarketMove } from "./demo_replay.ts";

/** One demo bookmaker. */
export interface DemoBook {
  /** Source name (`demo-...`: pages label every `demo` source as demo data). */
  name: string;
  /** Overround above 1: prices are 1 / (p x (1 + margin)). */
  margin: number;
  /** How far behind the market path it shows, as a share of the fixture's time on the board. */
  lag: number;
  /** Reprices only when its view of the path crosses a multiple of this share; 0 = at once. */
  step: number;
  /** Standard deviation of its own per-match offset of each selection's log probability. */
  noise: number;
  /** Home win probability scaled by 1 + homeBias before the margin (a popular-side lean). */
  homeBias?: number;
  /** Over 2.5 probability scaled by 1 + overBias before the margin. */
  overBias?: number;
}

/**
 * The default books: one sharp low-margin book that moves first, two slow books with higher
 * margins that follow late, and one soft book leaning to home sides and overs.
 */
export const DEMO_BOOKS: readonly DemoBook[] = [
  { name: DEMO_SHARP_BOOK, margin: 0.025, lag: 0, step: 0, noise: 0 },
  { name: "demo-slow-a", margin: 0.055, lag: 0.15, step: 0.1, noise: 0.02 },
  { name: "demo-slow-b", margin: 0.065, lag: 0.3, step: 0.2, noise: 0.02 },
  {
    name: "demo-soft",
    margin: 0.05,
    lag: 0.1,
    step: 0.1,
    noise: 0.025,
    homeBias: 0.16,
    overBias: 0.12,
  },
];

/** The seeded shape of one fixture's market: which move it replays and when the jumps come. */
export interface MarketPath {
  move: MarketMove;
  /** Jump times (share of the time on the board, ascending) and sizes (summing to 1). */
  jumps: { at: number; size: number }[];
}

/** Number of jumps from opening to closing prices. */
const JUMPS = 5;

/** A seeded path for `move`: jumps at uniform times before 95 % of the life, random sizes. */
export function randomPath(move: MarketMove, random: () => number): MarketPath {
  const at = Array.from({ length: JUMPS }, () => random() * 0.95).sort((a, b) => a - b);
  const weights = at.map(() => 0.2 + random());
  const total = weights.reduce((a, b) => a + b, 0);
  return { move, jumps: at.map((t, i) => ({ at: t, size: weights[i] / total })) };
}

/** Share of the opening -> closing move done at `progress` (0 at listing, 1 at kick-off). */
export function pathWeight(path: MarketPath, progress: number): number {
  if (progress >= 1) return 1;
  let w = 0;
  for (const j of path.jumps) if (j.at <= progress) w += j.size;
  return Math.min(1, w);
}

/** Where on the path a book is at `progress`: `lag` behind, rounded down to its `step`. */
export function bookProgress(book: DemoBook, progress: number): number {
  const p = Math.min(1, Math.max(0, progress - book.lag));
  return book.step > 0 && p < 1 ? Math.floor(p / book.step + 1e-9) * book.step : p;
}

/** Geometric interpolation of two probability vectors, renormalised. */
function between(a: number[], b: number[], w: number): number[] {
  const q = a.map((p, i) => Math.exp((1 - w) * Math.log(p) + w * Math.log(b[i])));
  const sum = q.reduce((x, y) => x + y, 0);
  return q.map((p) => p / sum);
}

/** The market's fair probabilities when a share `w` of the move is done. */
export function fairAt(move: MarketMove, w: number): FairSnapshot {
  const out: FairSnapshot = { x12: between(move.open.x12, move.close.x12, w) };
  if (move.open.totals && move.close.totals) {
    out.totals = between(move.open.totals, move.close.totals, w);
  }
  if (move.open.btts && move.close.btts) out.btts = between(move.open.btts, move.close.btts, w);
  return out;
}

/** A book's per-match offsets of the seven selections' log probabilities. */
export function bookOffsets(book: DemoBook, random: () => number): number[] {
  return Array.from({ length: 7 }, () => book.noise * gaussian(random));
}

/** Standard normal draw (Box-Muller). */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Two decimals, at least 1.01. */
export function roundPrice(x: number): number {
  return Math.max(1.01, Math.round(x * 100) / 100);
}

/** Prices of one market: offsets and leans applied to the fair probabilities, then the margin. */
function priceMarket(fair: number[], offsets: number[], lean: number[], margin: number): number[] {
  const q = fair.map((p, i) => p * Math.exp(offsets[i]) * lean[i]);
  const sum = q.reduce((a, b) => a + b, 0);
  return q.map((p) => roundPrice(1 / ((p / sum) * (1 + margin))));
}

/** The prices `book` shows for fair probabilities `fair`, with its per-match `offsets`. */
export function bookPrices(book: DemoBook, fair: FairSnapshot, offsets: number[]): MatchOdds {
  const home = 1 + (book.homeBias ?? 0), over = 1 + (book.overBias ?? 0);
  const [h, d, a] = priceMarket(fair.x12, offsets.slice(0, 3), [home, 1, 1], book.margin);
  const odds: MatchOdds = { x12: { home: h, draw: d, away: a } };
  if (fair.totals) {
    const [o, u] = priceMarket(fair.totals, offsets.slice(3, 5), [over, 1], book.margin);
    odds.over_2_5 = o;
    odds.under_2_5 = u;
  }
  if (fair.btts) {
    const [y, n] = priceMarket(fair.btts, offsets.slice(5, 7), [1, 1], book.margin);
    odds.btts_yes = y;
    odds.btts_no = n;
  }
  return odds;
}

/** What `book` shows at `progress` of a fixture's life on `path`. */
export function bookQuote(
  book: DemoBook,
  path: MarketPath,
  offsets: number[],
  progress: number,
): MatchOdds {
  return bookPrices(
    book,
    fairAt(path.move, pathWeight(path, bookProgress(book, progress))),
    offsets,
  );
}
