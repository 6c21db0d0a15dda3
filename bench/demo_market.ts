/**
 * `deno task bench demo-market [--minutes 10] [--kickoff-every-ms 30000] [--tick-ms 1000]
 * [--scrape-ms 1000] [--poll-ms 2000] [--threshold 0.03]`: runs the service (`server/main.ts`, demo
 * market on, shortened intervals) as a child process, polls its value bets, alerts and the demo
 * books' boards, and prints: alerts against the distinct selections that ever had an edge, and
 * how many value bets were on matches where the demo books disagree. A match's books disagree
 * when some selection's best price across the books beats the sharp book's fair price (margin
 * removed by normalising) by more than the threshold: best x p_sharp - 1 > threshold.
 * @module
 */
import { normalise } from "../server/domain/margins.ts";
import type { MatchOdds } from "../server/domain/live_protocol.ts";
import { parseHtmlTable } from "../server/live/parsers/html_table.ts";
import { validateRows } from "../server/live/validate.ts";
import { DEMO_BOOKS } from "../server/live/demo_market.ts";

interface Args {
  minutes: number;
  kickoffEveryMs: number;
  tickMs: number;
  scrapeMs: number;
  pollMs: number;
  threshold: number;
}

function parseArgs(args: string[]): Args {
  const out: Args = {
    minutes: 10,
    kickoffEveryMs: 30_000,
    tickMs: 1_000,
    scrapeMs: 1_000,
    pollMs: 2_000,
    threshold: 0.03,
  };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, "").replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const value = Number(args[i + 1]);
    if (!(key in out) || !Number.isFinite(value) || value <= 0) {
      throw new Error(`Cannot read argument "${args[i]} ${args[i + 1] ?? ""}"`);
    }
    (out as unknown as Record<string, number>)[key] = value;
  }
  return out;
}

const SELECTIONS: Record<string, [string, (o: MatchOdds) => (number | undefined)[]]> = {
  "1x2": ["home draw away", (o) => [o.x12.home, o.x12.draw, o.x12.away]],
  "totals_2_5": ["over under", (o) => [o.over_2_5, o.under_2_5]],
  "btts": ["yes no", (o) => [o.btts_yes, o.btts_no]],
};

/** Largest best-price-over-sharp-fair edge of a match's selections across its books. */
export function disagreement(books: Map<string, MatchOdds>, sharp: string): number {
  const ref = books.get(sharp);
  if (!ref) return -Infinity;
  let most = -Infinity;
  for (const [, read] of Object.values(SELECTIONS)) {
    const fairPrices = read(ref);
    if (fairPrices.some((p) => p === undefined)) continue;
    const fair = normalise(fairPrices as number[]);
    fair.forEach((p, i) => {
      for (const o of books.values()) {
        const price = read(o)[i];
        if (price !== undefined) most = Math.max(most, price * p - 1);
      }
    });
  }
  return most;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Runs the measurement and prints its figures. */
export async function benchDemoMarket(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const port = freePort();
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", "server/main.ts"],
    env: {
      PORT: String(port),
      KV_PATH: `${dir}/bench.kv`,
      LOG_LEVEL: "info",
      DEMO_BOOKMAKER: "true",
      DEMO_KICKOFF_EVERY_MS: String(args.kickoffEveryMs),
      DEMO_TICK_MS: String(args.tickMs),
      DEMO_SCRAPE_MS: String(args.scrapeMs),
      ENABLE_RATE_LIMITING: "false",
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  let demoUrl: string | undefined;
  const reader = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      const m = /"demo":"(http:\/\/127\.0\.0\.1:\d+\/)"/.exec(decoder.decode(chunk));
      if (m) demoUrl ??= m[1];
    }
  })();
  try {
    for (let i = 0; i < 600 && !demoUrl; i++) await new Promise((r) => setTimeout(r, 200));
    if (!demoUrl) throw new Error("Cannot measure: the service did not report its demo market");
    const everEdge = new Set<string>();
    const alerts = new Map<number, { key: string }>();
    let since = 0;
    let observations = 0, onDisagreeing = 0, unmatched = 0;
    let largest = -Infinity;
    const distinctOn = new Set<string>(), distinctOff = new Set<string>();
    const end = Date.now() + args.minutes * 60_000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, args.pollMs));
      const boards = new Map<string, Map<string, MatchOdds>>();
      for (const b of DEMO_BOOKS) {
        const html = await (await fetch(`${demoUrl}books/${b.name}`)).text();
        for (const m of validateRows(parseHtmlTable(html), { source: b.name }).matches) {
          const k = `${m.league}|${m.kickoff}|${m.home_team}|${m.away_team}`;
          if (!boards.has(k)) boards.set(k, new Map());
          boards.get(k)!.set(b.name, m.odds);
        }
      }
      const res = await fetch(`${base}/api/v1/value-bets?limit=1000`);
      const { value_bets } = await res.json() as {
        value_bets: {
          match_id: string;
          league: string;
          kickoff: string;
          home_team: string;
          away_team: string;
          market: string;
          selection: string;
        }[];
      };
      for (const v of value_bets) {
        const key = `${v.match_id}|${v.market}|${v.selection}`;
        everEdge.add(key);
        observations++;
        const books = boards.get(`${v.league}|${v.kickoff}|${v.home_team}|${v.away_team}`);
        if (!books) unmatched++;
        const gap = books ? disagreement(books, DEMO_BOOKS[0].name) : -Infinity;
        largest = Math.max(largest, gap);
        const on = gap > args.threshold;
        if (on) onDisagreeing++;
        (on ? distinctOn : distinctOff).add(key);
      }
      for (;;) {
        const page = await (await fetch(`${base}/api/v1/alerts?since=${since}&limit=1000`))
          .json() as {
            alerts: { id: number; match_id: string; market: string; selection: string }[];
            next_since: number | null;
          };
        for (const a of page.alerts) {
          alerts.set(a.id, { key: `${a.match_id}|${a.market}|${a.selection}` });
        }
        if (!page.alerts.length || page.next_since === null || page.next_since === since) break;
        since = page.next_since;
      }
    }
    for (const a of alerts.values()) everEdge.add(a.key);
    const distinct = everEdge.size;
    console.log(
      `demo market, ${args.minutes} min, kick-off slot ${args.kickoffEveryMs} ms, tick ${args.tickMs} ms, scrape ${args.scrapeMs} ms, threshold ${args.threshold}`,
    );
    console.log(`alerts: ${alerts.size}`);
    console.log(`distinct selections that ever had an edge: ${distinct}`);
    console.log(`alerts / distinct: ${distinct ? (alerts.size / distinct).toFixed(2) : "n/a"}`);
    console.log(
      `value-bet observations: ${observations}, on matches whose books disagree: ${onDisagreeing} (${
        observations ? (100 * onDisagreeing / observations).toFixed(1) : "n/a"
      } %)`,
    );
    console.log(
      `value bets not found on the boards: ${unmatched}; largest disagreement ${
        largest.toFixed(3)
      }`,
    );
    console.log(
      `distinct value bets on disagreeing matches: ${distinctOn.size}, elsewhere: ${distinctOff.size}`,
    );
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reader.catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}
