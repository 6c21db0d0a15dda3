/**
 * `deno task bench fleet --only odds`: the Redis odds store alone, in operations per second
 * (one at a time, as a scrape loop calls it): a scrape that changes no price (most scrapes), one
 * that moves every price, `history` of a match quoted by 3 sources and `cleanup` of 50 matches
 * quoted by 3 sources each.
 *
 * `--baseline <module>` measures another implementation (a module exporting
 * `createRedisOddsStore`, e.g. an older revision of `server/fleet/redis_odds_store.ts` with its
 * imports pointed at this tree) interleaved with the current one, round by round, and prints
 * each median with current / baseline. Options: `--rounds <n>` (3), `--puts <n>` (3000).
 * @module
 */
import { FleetRedis } from "../server/fleet/redis_client.ts";
import { createRedisOddsStore } from "../server/fleet/redis_odds_store.ts";
import type { OddsStore } from "../server/live/odds_store.ts";
import type { ScrapedMatch } from "../server/live/validate.ts";

type StoreFactory = typeof createRedisOddsStore;

const MATCHES = 50;
const SOURCES = ["s1", "s2", "s3"];
const SOURCE = "bench";
const OPERATIONS = ["put, unchanged", "put, moved", "history, 3 sources", "cleanup, matches"];

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function scraped(i: number, home: number, source = SOURCE): ScrapedMatch {
  return {
    id: `epl:bench-${i}`,
    league: "epl",
    home_team: `Home ${i}`,
    away_team: `Away ${i}`,
    kickoff: "2030-01-01T15:00:00.000Z",
    source,
    odds: { x12: { home, draw: 3.4, away: 3.6 } },
  };
}

/** Operations per second of `op` run `n` times one after another. */
async function rate(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return n / ((performance.now() - t0) / 1000);
}

/** One round of every operation on a fresh key prefix. */
async function round(url: string, factory: StoreFactory, puts: number): Promise<number[]> {
  const redis = new FleetRedis({ url, keyPrefix: `bench:odds:${crypto.randomUUID()}:` });
  try {
    if (!(await redis.whenUp(5000))) throw new Error(`Cannot reach Redis at ${url}`);
    // Fenced writes, as a leader in production makes them.
    await redis.redis.set(`fence:${SOURCE}`, "1");
    const store: OddsStore = factory(redis, { fenceOf: () => 1, keepAfterKickoffMs: 0 });
    const at = new Date("2029-12-01T10:00:00Z");
    for (let i = 0; i < MATCHES; i++) await store.put(scraped(i, 2), at);
    const unchanged = await rate(puts, (i) => store.put(scraped(i % MATCHES, 2), at));
    // Each pass over the matches moves every price by 0.05.
    const moved = await rate(
      puts,
      (i) => store.put(scraped(i % MATCHES, 2 + 0.05 * (1 + Math.floor(i / MATCHES))), at),
    );
    const unfenced = factory(redis, { keepAfterKickoffMs: 0 });
    for (let i = 0; i < MATCHES; i++) {
      for (const s of SOURCES) await unfenced.put(scraped(i, 2, s), at);
    }
    const history = await rate(puts, (i) => store.history(`epl:bench-${i % MATCHES}`));
    const t0 = performance.now();
    const removed = await store.cleanup(new Date("2030-01-02T00:00:00Z"));
    const cleanup = removed / ((performance.now() - t0) / 1000);
    if (removed !== MATCHES) throw new Error(`Cleanup removed ${removed} of ${MATCHES} matches`);
    const keys = await redis.redis.keys(`${redis.keyPrefix}*`);
    if (keys.length > 0) await redis.redis.call("DEL", ...keys);
    return [unchanged, moved, history, cleanup];
  } finally {
    await redis.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Prints the odds store's figures (and the baseline's, interleaved, when given). */
export async function benchFleetOdds(args: string[], url: string): Promise<void> {
  const rounds = Number(option(args, "--rounds") ?? 3);
  const puts = Number(option(args, "--puts") ?? 3000);
  const baselinePath = option(args, "--baseline");
  const contenders: [string, StoreFactory][] = [["current", createRedisOddsStore]];
  if (baselinePath) {
    const mod = await import(new URL(baselinePath, `file://${Deno.cwd()}/`).href);
    contenders.unshift(["baseline", mod.createRedisOddsStore as StoreFactory]);
  }
  const figures = new Map<string, number[][]>(contenders.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, factory] of contenders) {
      figures.get(name)!.push(await round(url, factory, puts));
    }
  }
  const medians = new Map(
    contenders.map(([name]) => [
      name,
      OPERATIONS.map((_, k) => median(figures.get(name)!.map((f) => f[k]))),
    ]),
  );
  console.log(`odds store, ops/s, median of ${rounds} rounds (${puts} calls per operation)`);
  for (const [k, op] of OPERATIONS.entries()) {
    const cells = contenders.map(([name]) =>
      `${name} ${medians.get(name)![k].toFixed(0).padStart(7)}`
    );
    const ratio = baselinePath
      ? `  current/baseline ${
        (medians.get("current")![k] / medians.get("baseline")![k]).toFixed(2)
      }x`
      : "";
    console.log(`${op.padEnd(20)} ${cells.join("  ")}${ratio}`);
  }
}
