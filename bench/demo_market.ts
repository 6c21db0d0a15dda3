/**
 * `deno task bench demo-market [--minutes 10] [--kickoff-every-ms 30000] [--tick-ms 1000]
 * [--scrape-ms 1000] [--poll-ms 2000] [--threshold <close edge>]`: runs the service (`server/main.ts`, demo
 * market on, shortened intervals) as a child process, polls its value bets, alerts and the demo
 * books' boards, and prints two checks with their figures: alerts <= 2 x the distinct selections
 * that ever had an edge, and every value bet on a match whose demo books disagree. A match's
 * books disagree when some book's price beats another book's fair price (its margin removed by
 * normalising) by more than the threshold: price_a x p_b - 1 > threshold. Books that agree on
 * the probabilities and differ only in their margins never do. The default threshold is the
 * served policy's close edge, the least edge an open value bet keeps: a fair price made from the
 * books cannot give a larger edge than their largest disagreement, so a value bet elsewhere would
 * be the service's own invention. It exits with 1 when a check fails.
 * @module
 */
import { normalise } from "../server/domain/margins.ts";
import type { MatchOdds } from "../server/domain/live_protocol.ts";
import { parseHtmlTable } from "../server/live/parsers/html_table.ts";
import { validateRows } from "../server/live/validate.ts";
import { DEMO_BOOKS } from "../server/live/demo_market.ts";
import { loadValuePolicy } from "../server/predict/value_policy.ts";

interface Args {
  minutes: number;
  kickoffEveryMs: number;
  tickMs: number;
  scrapeMs: number;
  pollMs: number;
  threshold: number;
}

function parseArgs(args: string[], closeEdge: number): Args {
  const out: Args = {
    minutes: 10,
    kickoffEveryMs: 30_000,
    tickMs: 1_000,
    scrapeMs: 1_000,
    pollMs: 2_000,
    threshold: closeEdge,
  };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, "").replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const value = Number(args[i + 1]);
    if (!(key in out) || !Number.isFinite(value) || (value <= 0 && key !== "threshold")) {
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

/**
 * How far the books of a match disagree: the largest price_a x p_b - 1 over selections and
 * pairs of books, p_b being book b's probability with its margin removed by normalising (with
 * `reference`, p_b is that book's only).
 */
export function disagreement(books: Map<string, MatchOdds>, reference?: MatchOdds): number {
  let most = -Infinity;
  for (const [, read] of Object.values(SELECTIONS)) {
    const whole = (ps: (number | undefined)[]) => ps.every((p) => p !== undefined);
    const priced = [...books.values()].map(read).filter(whole) as number[][];
    const references = reference ? [read(reference)].filter(whole) as number[][] : priced;
    for (const ref of references) {
      const fair = normalise(ref);
      for (const prices of priced) {
        prices.forEach((price, i) => most = Math.max(most, price * fair[i] - 1));
      }
    }
  }
  return most;
}

/** Largest best-price edge over the sharp book's fair price alone (margin normalised away). */
export function overSharp(books: Map<string, MatchOdds>, sharp: string): number {
  const ref = books.get(sharp);
  return ref ? disagreement(books, ref) : -Infinity;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Runs the measurement and prints its figures. */
export async function benchDemoMarket(argv: string[]): Promise<void> {
  const policy = await loadValuePolicy("models");
  const args = parseArgs(argv, policy.close_edge);
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
    let largest = -Infinity, smallest = Infinity;
    // Board snapshots of matches, and the matches whose books ever disagreed or had a value bet.
    let boardMatches = 0, boardDisagreeing = 0, boardDiffering = 0;
    const matchesSeen = new Set<string>(), matchesDisagreeing = new Set<string>();
    const matchesWithValue = new Set<string>();
    const distinctOn = new Set<string>(), distinctOff = new Set<string>();
    const distinctOverSharp = new Set<string>();
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
      for (const [k, books] of boards) {
        boardMatches++;
        matchesSeen.add(k);
        const gap = disagreement(books);
        if (gap > 0) boardDiffering++;
        if (gap > args.threshold) {
          boardDisagreeing++;
          matchesDisagreeing.add(k);
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
        const match = `${v.league}|${v.kickoff}|${v.home_team}|${v.away_team}`;
        matchesWithValue.add(match);
        const books = boards.get(match);
        if (!books) unmatched++;
        const gap = books ? disagreement(books) : -Infinity;
        largest = Math.max(largest, gap);
        smallest = Math.min(smallest, gap);
        if (books && overSharp(books, DEMO_BOOKS[0].name) > args.threshold) {
          distinctOverSharp.add(key);
        }
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
    const pct = (n: number, of: number) => of ? `${(100 * n / of).toFixed(1)} %` : "n/a";
    console.log(
      `demo market, ${args.minutes} min, kick-off slot ${args.kickoffEveryMs} ms, tick ${args.tickMs} ms, scrape ${args.scrapeMs} ms, disagreement threshold ${args.threshold} (policy: open edge ${policy.min_edge}, close edge ${policy.close_edge})`,
    );
    console.log(`alerts: ${alerts.size}`);
    console.log(`distinct selections that ever had an edge: ${distinct}`);
    console.log(`alerts / distinct: ${distinct ? (alerts.size / distinct).toFixed(2) : "n/a"}`);
    console.log(
      `matches on the boards: ${matchesSeen.size}, whose books ever disagreed: ${matchesDisagreeing.size}, with a value bet: ${matchesWithValue.size}`,
    );
    console.log(
      `board snapshots of a match: ${boardMatches}, books disagreeing: ${boardDisagreeing} (${
        pct(boardDisagreeing, boardMatches)
      }; by any amount: ${pct(boardDiffering, boardMatches)})`,
    );
    console.log(
      `value-bet observations: ${observations}, on matches whose books disagree: ${onDisagreeing} (${
        pct(onDisagreeing, observations)
      })`,
    );
    console.log(
      `value bets not found on the boards: ${unmatched}; disagreement under a value bet: ${
        smallest.toFixed(3)
      } to ${largest.toFixed(3)}`,
    );
    console.log(
      `distinct value bets on disagreeing matches: ${distinctOn.size}, elsewhere: ${distinctOff.size}`,
    );
    console.log(
      `distinct value bets whose best price also beats the sharp book's own fair price by the threshold: ${distinctOverSharp.size} of ${
        distinctOn.size + distinctOff.size
      }`,
    );
    const flapOk = alerts.size <= 2 * distinct;
    const agreeOk = distinctOff.size === 0 && unmatched === 0;
    console.log(
      `check alerts <= 2 x distinct selections with an edge (${alerts.size} <= ${2 * distinct}): ${
        flapOk ? "PASS" : "FAIL"
      }`,
    );
    console.log(
      `check value bets only on matches whose books disagree (${distinctOff.size} elsewhere, ${unmatched} unmatched): ${
        agreeOk ? "PASS" : "FAIL"
      }`,
    );
    if (!flapOk || !agreeOk) Deno.exitCode = 1;
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reader.catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}
