/**
 * The built-in demo bookmaker: an HTML odds board served over real HTTP on loopback, listing
 * upcoming fixtures between real teams of the trained leagues. Prices drift like a market: each
 * match has Poisson goal rates (Dixon & Coles 1997 score matrix) from team strengths, a random
 * walk moves them, and prices carry a ~5 % margin. Everything it serves is demo data and the
 * pipeline labels it `source: "demo"`.
 * @module
 */
import { findLeague, LEAGUES } from "../domain/leagues.ts";
import type { MatchOdds } from "../domain/live_protocol.ts";
import { scoreMatrix } from "../domain/score_matrix.ts";
import { DEMO_TEAMS } from "./demo_teams.ts";

/** A fixture on the demo board. */
export interface DemoFixture {
  /** The board's own id (`demo-<n>`), used by {@link DemoBookmaker.setPrice}. */
  id: string;
  league: string;
  home_team: string;
  away_team: string;
  kickoff: string;
  odds: MatchOdds;
}

/** New prices for {@link DemoBookmaker.setPrice}: any subset of the prices. */
export type DemoPriceChange = Partial<Omit<MatchOdds, "x12">> & { x12?: Partial<MatchOdds["x12"]> };

/** Options of {@link startDemoBookmaker}. */
export interface DemoBookmakerOptions {
  /** Seed of the random generator: the same seed gives the same board. @default 20240601 */
  seed?: number;
  /** League keys to list. @default leagues with `models/<league>/model.json`, else all */
  leagues?: string[];
  /** Folder with trained models, read for team names. @default "models" */
  modelsDir?: string;
  /** Fixtures per league. @default 3 */
  matchesPerLeague?: number;
  /** Bookmaker margin added to fair probabilities. @default 0.05 */
  margin?: number;
  /** Time between automatic price moves; 0 moves prices only on `tick()`. @default 3000 */
  tickMs?: number;
  /** Standard deviation of one random-walk step of the log goal rates. @default 0.05 */
  volatility?: number;
  /** @default () => new Date() */
  now?: () => Date;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /**
   * Expected goals of a fixture (e.g. from the prediction engine): prices then drift around the
   * model's view. Undefined or a rejection keeps the built-in random team strengths.
   * @default none
   */
  expectedGoals?: (
    fixture: Pick<DemoFixture, "league" | "home_team" | "away_team" | "kickoff">,
  ) => Promise<{ home: number; away: number } | undefined>;
}

/** A running demo bookmaker. */
export interface DemoBookmaker {
  /** URL of the odds board. */
  readonly url: string;
  /** The fixtures and their current prices. */
  fixtures(): DemoFixture[];
  /** Pins prices of a fixture until its next random move. Throws on an unknown id or price <= 1. */
  setPrice(id: string, odds: DemoPriceChange): void;
  /** Moves prices one random-walk step and replaces fixtures that have kicked off. */
  tick(): void;
  /** The odds board HTML. */
  html(): string;
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

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
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
  fixture: DemoFixture;
  /** Log goal rates before drift. */
  baseHome: number;
  baseAway: number;
  /** Random-walk offsets of the log rates. */
  driftHome: number;
  driftAway: number;
}

function round2(x: number): number {
  return Math.max(1.01, Math.round(x * 100) / 100);
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
  const price = (p: number) => round2(1 / ((p / total) * (1 + margin)));
  return {
    x12: { home: price(home), draw: price(draw), away: price(away) },
    over_2_5: price(total - under),
    under_2_5: price(under),
    btts_yes: price(total - noBtts),
    btts_no: price(noBtts),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders the odds board read by the default HTML selectors. */
export function renderOddsBoard(fixtures: DemoFixture[], updatedAt: Date): string {
  const f = (x: number | undefined) => (x === undefined ? "" : x.toFixed(2));
  const rows = fixtures.map((m) => {
    const league = findLeague(m.league)?.name ?? m.league;
    return `<tr class="match" data-match-id="${escapeHtml(m.id)}" data-league="${
      escapeHtml(m.league)
    }">` +
      `<td class="league">${escapeHtml(league)}</td>` +
      `<td class="kickoff"><time datetime="${m.kickoff}">${
        m.kickoff.slice(0, 16).replace("T", " ")
      } UTC</time></td>` +
      `<td class="home">${escapeHtml(m.home_team)}</td><td class="away">${
        escapeHtml(m.away_team)
      }</td>` +
      `<td class="price-home">${f(m.odds.x12.home)}</td><td class="price-draw">${
        f(m.odds.x12.draw)
      }</td>` +
      `<td class="price-away">${f(m.odds.x12.away)}</td><td class="price-over">${
        f(m.odds.over_2_5)
      }</td>` +
      `<td class="price-under">${f(m.odds.under_2_5)}</td><td class="price-btts-yes">${
        f(m.odds.btts_yes)
      }</td>` +
      `<td class="price-btts-no">${f(m.odds.btts_no)}</td></tr>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SabiScore demo bookmaker</title></head>
<body>
<h1>Demo bookmaker</h1>
<p class="disclaimer">Simulated prices for demonstration only. Updated ${updatedAt.toISOString()}.</p>
<table class="odds-board">
<thead><tr><th>League</th><th>Kick-off</th><th>Home</th><th>Away</th><th>1</th><th>X</th><th>2</th>` +
    `<th>Over 2.5</th><th>Under 2.5</th><th>BTTS yes</th><th>BTTS no</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body></html>
`;
}

/** Starts the demo bookmaker on 127.0.0.1. Stop it with `close()` or by aborting `signal`. */
export async function startDemoBookmaker(
  options: DemoBookmakerOptions = {},
  signal?: AbortSignal,
): Promise<DemoBookmaker> {
  const random = mulberry32(options.seed ?? 20240601);
  const now = options.now ?? (() => new Date());
  const margin = options.margin ?? 0.05;
  const volatility = options.volatility ?? 0.05;
  const perLeague = options.matchesPerLeague ?? 3;
  const modelsDir = options.modelsDir ?? "models";
  const leagues = options.leagues ?? await trainedLeagues(modelsDir);
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
    // Kick-offs on the hour, spread over the next two days.
    const start = Math.ceil(now().getTime() / 3_600_000) * 3_600_000 + 3_600_000;
    const kickoff = new Date(start + (slot++ % 48) * 3_600_000).toISOString();
    const sh = strength.get(`${league}/${home}`) ?? 0, sa = strength.get(`${league}/${away}`) ?? 0;
    const m: MarketState = {
      fixture: {
        id: `demo-${nextId++}`,
        league,
        home_team: home,
        away_team: away,
        kickoff,
        odds: { x12: { home: 2, draw: 3, away: 4 } },
      },
      baseHome: Math.log(1.45) + (sh - sa) / 2,
      baseAway: Math.log(1.15) + (sa - sh) / 2,
      driftHome: 0,
      driftAway: 0,
    };
    price(m);
    return m;
  }

  function price(m: MarketState) {
    m.fixture.odds = marketPrices(
      Math.exp(m.baseHome + m.driftHome),
      Math.exp(m.baseAway + m.driftAway),
      margin,
    );
  }

  const pending = new Set<Promise<void>>();
  let stopped = false;
  /** Moves a fixture's base goal rates to the model's expected goals, when available. */
  function anchor(m: MarketState) {
    if (!options.expectedGoals) return;
    const { league, home_team, away_team, kickoff } = m.fixture;
    const p = options.expectedGoals({ league, home_team, away_team, kickoff }).then((xg) => {
      if (stopped || !xg || !(xg.home > 0) || !(xg.away > 0)) return;
      m.baseHome = Math.log(xg.home);
      m.baseAway = Math.log(xg.away);
      price(m);
    }, () => {/* unknown to the model: keep the built-in strengths */}).finally(() => {
      pending.delete(p);
    });
    pending.add(p);
  }

  for (const league of leagues) {
    const busy = new Set<string>();
    for (let i = 0; i < perLeague; i++) {
      const m = newFixture(league, busy);
      busy.add(m.fixture.home_team).add(m.fixture.away_team);
      markets.push(m);
    }
  }
  markets.sort((a, b) => a.fixture.kickoff.localeCompare(b.fixture.kickoff));
  markets.forEach(anchor);
  await Promise.all(pending);

  function tick() {
    const t = now().toISOString();
    for (let i = 0; i < markets.length; i++) {
      const m = markets[i];
      if (m.fixture.kickoff <= t) {
        const busy = new Set(
          markets.flatMap((x) =>
            x.fixture.league === m.fixture.league ? [x.fixture.home_team, x.fixture.away_team] : []
          ),
        );
        markets[i] = newFixture(m.fixture.league, busy);
        anchor(markets[i]);
        continue;
      }
      // About a third of the markets move each step; drift reverts slowly to the base rates.
      if (random() > 0.35) continue;
      m.driftHome = 0.9 * m.driftHome + volatility * gaussian(random);
      m.driftAway = 0.9 * m.driftAway + volatility * gaussian(random);
      price(m);
    }
    markets.sort((a, b) => a.fixture.kickoff.localeCompare(b.fixture.kickoff));
  }

  const html = () => renderOddsBoard(markets.map((m) => m.fixture), now());
  const stop = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    signal: stop.signal,
    onListen: () => {},
  }, function demoBoard(req) {
    const path = new URL(req.url).pathname;
    if (req.method !== "GET" || (path !== "/" && path !== "/odds")) {
      return new Response("Not found", { status: 404 });
    }
    return new Response(html(), { headers: { "content-type": "text/html; charset=utf-8" } });
  });
  const tickMs = options.tickMs ?? 3_000;
  const timer = tickMs > 0 ? setInterval(tick, tickMs) : undefined;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      await Promise.all(pending);
      signal?.removeEventListener("abort", close);
      stop.abort();
      await server.finished;
    })();
    return closed;
  };
  signal?.addEventListener("abort", close, { once: true });

  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    fixtures: () => structuredClone(markets.map((m) => m.fixture)),
    setPrice(id, odds) {
      const m = markets.find((x) => x.fixture.id === id);
      if (!m) throw new Error(`Unknown demo fixture "${id}"`);
      const next: MatchOdds = {
        ...m.fixture.odds,
        ...odds,
        x12: { ...m.fixture.odds.x12, ...odds.x12 },
      };
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
      m.fixture.odds = next;
    },
    tick,
    html,
    close,
  };
}
