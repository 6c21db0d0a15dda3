/**
 * The built-in demo market: several demo bookmakers, each an HTML odds board served over real
 * HTTP on loopback at `books/<name>`, listing the same upcoming fixtures between real teams of
 * the trained leagues. Each fixture replays a real opening -> closing price move over its time on
 * the board; the books differ in margin, lag and lean (`demo_market.ts`). Everything it serves is
 * demo data and its sources are named `demo-<book>`.
 * @module
 */
import { LEAGUES } from "../domain/leagues.ts";
import type { MatchOdds } from "../domain/live_protocol.ts";
import { normalise } from "../domain/margins.ts";
import { scoreMatrix } from "../domain/score_matrix.ts";
import {
  bookOffsets,
  bookQuote,
  DEMO_BOOKS,
  type DemoBook,
  gaussian,
  type MarketPath,
  randomPath,
  roundPrice,
} from "./demo_market.ts";
import { loadMarketMoves, type MarketMove } from "./demo_replay.ts";
import { type DemoFixture, escapeHtml, renderOddsBoard } from "./demo_board_html.ts";
import { DEMO_TEAMS } from "./demo_teams.ts";

export type { DemoFixture } from "./demo_board_html.ts";
export { renderOddsBoard } from "./demo_board_html.ts";

/** New prices for {@link DemoBookmaker.setPrice}: any subset of the prices. */
export type DemoPriceChange = Partial<Omit<MatchOdds, "x12">> & { x12?: Partial<MatchOdds["x12"]> };

/** Options of {@link startDemoBookmaker}. */
export interface DemoBookmakerOptions {
  /** Seed of the random generator: the same seed gives the same market. @default 20240601 */
  seed?: number;
  /** League keys to list. @default leagues with `models/<league>/model.json`, else all */
  leagues?: string[];
  /** Folder with trained models, read for team names. @default "models" */
  modelsDir?: string;
  /**
   * The shared data folder whose `leagues/` files give the opening -> closing moves replayed;
   * without usable files the moves are drawn from random team strengths.
   * @default "../shared/data"
   */
  dataDir?: string;
  /** The books, each served at `books/<name>`. @default DEMO_BOOKS */
  books?: readonly DemoBook[];
  /** Fixtures per league. @default 3 */
  matchesPerLeague?: number;
  /** Time between two kick-off slots (fixtures are spread over 48 slots). @default 3600000 */
  kickoffEveryMs?: number;
  /** Time between automatic repricing; 0 reprices only on `tick()`. @default 3000 */
  tickMs?: number;
  /** @default () => new Date() */
  now?: () => Date;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Told once when no replay file is usable. @default console.warn */
  log?: (message: string) => void;
}

/** A running demo bookmaker. */
export interface DemoBookmaker {
  /** URL of the index page; each book's board is at {@link bookUrl}. */
  readonly url: string;
  /** The books, sharpest first. */
  readonly books: readonly DemoBook[];
  /** URL of one book's odds board. */
  bookUrl(book: string): string;
  /** The fixtures with the current prices of `book` (default: the first book). */
  fixtures(book?: string): DemoFixture[];
  /** The real opening -> closing move each fixture replays, by fixture id. */
  replays(): Record<string, MarketMove>;
  /**
   * Pins prices of a fixture at `book` (default: every book) until that book next reprices.
   * Throws on an unknown id or book, or a price <= 1.
   */
  setPrice(id: string, odds: DemoPriceChange, book?: string): void;
  /** Reprices every book at the current time and replaces fixtures that have kicked off. */
  tick(): void;
  /** The odds board HTML of `book` (default: the first book). */
  html(book?: string): string;
  /** Stops the server and the ticking. */
  close(): Promise<void>;
}

/** Mulberry32: a small seeded PRNG with uniform output in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function random() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Team names of a league: from its model card when it lists them, else the built-in list. */
async function teamsOf(league: string, modelsDir: string): Promise<string[]> {
  try {
    const card = JSON.parse(await Deno.readTextFile(`${modelsDir}/${league}/model.json`));
    const raw: unknown[] = Array.isArray(card.teams) ? card.teams : [];
    const names = raw.map((t) => typeof t === "string" ? t : (t as { name?: unknown })?.name)
      .filter((n): n is string => typeof n === "string" && n.trim() !== "");
    if (names.length >= 4) return names;
  } catch { /* no model card: use the built-in list */ }
  return [...(DEMO_TEAMS[league] ?? [])];
}

async function trainedLeagues(modelsDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const l of LEAGUES) {
    try {
      await Deno.stat(`${modelsDir}/${l.key}/model.json`);
      out.push(l.key);
    } catch { /* not trained */ }
  }
  return out.length ? out : LEAGUES.map((l) => l.key);
}

interface MarketState {
  fixture: Omit<DemoFixture, "odds">;
  listedAt: number;
  kickoffAt: number;
  path: MarketPath;
  /** Per book: its per-match offsets, the prices it last computed, and the prices it shows. */
  books: Map<string, { offsets: number[]; computed: string; odds: MatchOdds }>;
}

/** A move drawn from random team strengths, for when no replay file is usable. */
function syntheticMove(random: () => number, strengthGap: number): MarketMove {
  const fair = (lambda: number, mu: number) => {
    const o = marketPrices(lambda, mu, 0);
    return {
      x12: normalise([o.x12.home, o.x12.draw, o.x12.away]),
      totals: normalise([o.over_2_5!, o.under_2_5!]),
      btts: normalise([o.btts_yes!, o.btts_no!]),
    };
  };
  const lh = Math.log(1.45) + strengthGap / 2, la = Math.log(1.15) - strengthGap / 2;
  return {
    origin: "random strengths",
    open: fair(Math.exp(lh), Math.exp(la)),
    close: fair(Math.exp(lh + 0.12 * gaussian(random)), Math.exp(la + 0.12 * gaussian(random))),
  };
}

/** Prices with `margin` from goal rates, through the Dixon-Coles score matrix. */
export function marketPrices(lambda: number, mu: number, margin: number): MatchOdds {
  const n = 11;
  const m = scoreMatrix(lambda, mu, -0.05, n - 1);
  let home = 0, draw = 0, away = 0, under = 0, noBtts = 0, total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const p = m[i * n + j];
      total += p;
      if (i > j) home += p;
      else if (i === j) draw += p;
      else away += p;
      if (i + j <= 2) under += p;
      if (i === 0 || j === 0) noBtts += p;
    }
  }
  const price = (p: number) => roundPrice(1 / ((p / total) * (1 + margin)));
  return {
    x12: { home: price(home), draw: price(draw), away: price(away) },
    over_2_5: price(total - under),
    under_2_5: price(under),
    btts_yes: price(total - noBtts),
    btts_no: price(noBtts),
  };
}

/** Starts the demo market on 127.0.0.1. Stop it with `close()` or by aborting `signal`. */
export async function startDemoBookmaker(
  options: DemoBookmakerOptions = {},
  signal?: AbortSignal,
): Promise<DemoBookmaker> {
  const random = mulberry32(options.seed ?? 20240601);
  const now = options.now ?? (() => new Date());
  const books = options.books ?? DEMO_BOOKS;
  if (books.length === 0) throw new Error("Cannot run the demo bookmaker: no books");
  const perLeague = options.matchesPerLeague ?? 3;
  const every = options.kickoffEveryMs ?? 3_600_000;
  const modelsDir = options.modelsDir ?? "models";
  const leagues = options.leagues ?? await trainedLeagues(modelsDir);
  const moves = await loadMarketMoves(options.dataDir ?? "../shared/data", leagues);
  const allMoves = [...moves.values()].flat();
  if (allMoves.length === 0) {
    (options.log ?? console.warn)(
      `Demo market: no opening/closing prices under "${
        options.dataDir ?? "../shared/data"
      }/leagues"; replaying moves drawn from random team strengths`,
    );
  }
  const teams = new Map<string, string[]>();
  const strength = new Map<string, number>();
  for (const league of leagues) {
    const names = await teamsOf(league, modelsDir);
    if (names.length < 2) {
      throw new Error(`Cannot run the demo bookmaker: no teams for "${league}"`);
    }
    teams.set(league, names);
    for (const t of names) strength.set(`${league}/${t}`, (random() - 0.5) * 0.9);
  }
  let nextId = 1;
  let slot = 0;
  const markets: MarketState[] = [];

  function newFixture(league: string, busy: Set<string>): MarketState {
    const names = teams.get(league)!.filter((t) => !busy.has(t));
    const pool = names.length >= 2 ? names : teams.get(league)!;
    const home = pool[Math.floor(random() * pool.length)];
    const rest = pool.filter((t) => t !== home);
    const away = rest[Math.floor(random() * rest.length)];
    // Kick-offs on the slot, spread over the next 48 slots (two days by default).
    const listedAt = now().getTime();
    const kickoffAt = Math.ceil(listedAt / every) * every + every + (slot++ % 48) * every;
    const pick = moves.get(league) ?? allMoves;
    const move = pick.length ? pick[Math.floor(random() * pick.length)] : syntheticMove(
      random,
      (strength.get(`${league}/${home}`) ?? 0) - (strength.get(`${league}/${away}`) ?? 0),
    );
    const m: MarketState = {
      fixture: {
        id: `demo-${nextId++}`,
        league,
        home_team: home,
        away_team: away,
        kickoff: new Date(kickoffAt).toISOString(),
      },
      listedAt,
      kickoffAt,
      path: randomPath(move, random),
      books: new Map(),
    };
    for (const b of books) {
      m.books.set(b.name, {
        offsets: bookOffsets(b, random),
        computed: "",
        odds: { x12: { home: 2, draw: 3, away: 4 } },
      });
    }
    reprice(m);
    return m;
  }

  /** Moves each book to its view of the path now; pinned prices stay until the view changes. */
  function reprice(m: MarketState) {
    const progress = (now().getTime() - m.listedAt) / Math.max(1, m.kickoffAt - m.listedAt);
    for (const b of books) {
      const state = m.books.get(b.name)!;
      const odds = bookQuote(b, m.path, state.offsets, progress);
      const key = JSON.stringify(odds);
      if (key === state.computed) continue;
      state.computed = key;
      state.odds = odds;
    }
  }

  for (const league of leagues) {
    const busy = new Set<string>();
    for (let i = 0; i < perLeague; i++) {
      const m = newFixture(league, busy);
      busy.add(m.fixture.home_team).add(m.fixture.away_team);
      markets.push(m);
    }
  }
  markets.sort((a, b) => a.kickoffAt - b.kickoffAt);

  function tick() {
    const t = now().getTime();
    for (let i = 0; i < markets.length; i++) {
      const m = markets[i];
      if (m.kickoffAt <= t) {
        const busy = new Set(
          markets.flatMap((x) =>
            x.fixture.league === m.fixture.league ? [x.fixture.home_team, x.fixture.away_team] : []
          ),
        );
        markets[i] = newFixture(m.fixture.league, busy);
        continue;
      }
      reprice(m);
    }
    markets.sort((a, b) => a.kickoffAt - b.kickoffAt);
  }

  function bookName(book: string | undefined): string {
    const name = book ?? books[0].name;
    if (!books.some((b) => b.name === name)) throw new Error(`Unknown demo book "${name}"`);
    return name;
  }
  const fixturesOf = (book?: string): DemoFixture[] => {
    const name = bookName(book);
    return markets.map((m) => ({ ...m.fixture, odds: m.books.get(name)!.odds }));
  };
  const html = (book?: string) => renderOddsBoard(fixturesOf(book), now(), bookName(book));
  const index = () =>
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SabiScore demo market</title></head>
<body><h1>Demo market</h1><p class="disclaimer">Simulated prices for demonstration only.</p><ul>
${
      books.map((b) => `<li><a href="books/${escapeHtml(b.name)}">${escapeHtml(b.name)}</a></li>`)
        .join("\n")
    }
</ul></body></html>
`;
  const stop = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    signal: stop.signal,
    onListen: () => {},
  }, function demoMarket(req) {
    const path = new URL(req.url).pathname;
    const book = /^\/books\/([\w.-]+)$/.exec(path)?.[1];
    const known = book !== undefined && books.some((b) => b.name === book);
    if (req.method !== "GET" || !(path === "/" || known)) {
      return new Response("Not found", { status: 404 });
    }
    return new Response(known ? html(book) : index(), {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  });
  const tickMs = options.tickMs ?? 3_000;
  const timer = tickMs > 0 ? setInterval(tick, tickMs) : undefined;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      if (timer !== undefined) clearInterval(timer);
      signal?.removeEventListener("abort", close);
      stop.abort();
      await server.finished;
    })();
    return closed;
  };
  signal?.addEventListener("abort", close, { once: true });
  const url = `http://127.0.0.1:${server.addr.port}/`;

  return {
    url,
    books,
    bookUrl: (book) => `${url}books/${bookName(book)}`,
    fixtures: (book) => structuredClone(fixturesOf(book)),
    replays: () =>
      Object.fromEntries(markets.map((m) => [m.fixture.id, structuredClone(m.path.move)])),
    setPrice(id, odds, book) {
      const m = markets.find((x) => x.fixture.id === id);
      if (!m) throw new Error(`Unknown demo fixture "${id}"`);
      const names = book === undefined ? books.map((b) => b.name) : [bookName(book)];
      const nexts = names.map((name) => {
        const current = m.books.get(name)!.odds;
        const next: MatchOdds = { ...current, ...odds, x12: { ...current.x12, ...odds.x12 } };
        const prices = [
          next.x12.home,
          next.x12.draw,
          next.x12.away,
          next.over_2_5,
          next.under_2_5,
          next.btts_yes,
          next.btts_no,
        ];
        if (prices.some((p) => p !== undefined && !(p > 1))) {
          throw new Error(`Prices of "${id}" must be above 1`);
        }
        return next;
      });
      names.forEach((name, i) => m.books.get(name)!.odds = nexts[i]);
    },
    tick,
    html,
    close,
  };
}
