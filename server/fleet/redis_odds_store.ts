/**
 * The odds store of the fleet, in Redis, so every instance answers `/api/v1/matches/*` from
 * the same prices. Keys: `odds:match:<id>` (teams, league, kick-off), the sorted set
 * `odds:kickoff` (ids by kick-off ms), the hash `odds:quote:<id>` (latest and opening prices per
 * source) and the list `odds:history:<id>:<source>` (one entry per change, trimmed to the
 * retention). A price change is written by one script that first checks the writer's fencing
 * token for the source: a leader that lost its lease (paused past its TTL) writes nothing.
 * @module
 */
import {
  byUpdate,
  type MatchMeta,
  metaOf,
  nextQuote,
  type OddsSnapshot,
  type OddsStore,
  type OddsStoreOptions,
  type PutResult,
  type SourceQuote,
  type StoredMatch,
  type UpcomingFilter,
} from "../live/odds_store.ts";
import type { ChainableCommander } from "ioredis";
import { feedOf, type ScrapedMatch } from "../live/validate.ts";
import type { FenceReport } from "./fenced_writes.ts";
import { NotLeaderError } from "./not_leader.ts";
import { LuaScript } from "./lua_script.ts";
import type { FleetRedis } from "./redis_client.ts";

// KEYS: fence, match, kickoff, quote, history. ARGV: fence ('' = unfenced), id, meta JSON,
// kickoff ms, source, quote JSON ('' = unchanged), snapshot JSON, history length kept. Returns
// the match's quotes after the write (so `put` needs no load after it), or 0 when fenced out.
const WRITE = new LuaScript(
  `if ARGV[1] ~= '' and tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
  redis.call('RPUSH', KEYS[5], ARGV[7])
  redis.call('LTRIM', KEYS[5], -tonumber(ARGV[8]), -1)
end
return redis.call('HVALS', KEYS[4])`,
  5,
);

/** Options of {@link createRedisOddsStore}. */
export interface RedisOddsStoreOptions extends OddsStoreOptions {
  /**
   * This instance's fencing token for a source, null when it does not lead it (its writes are
   * then refused). Without it writes are unfenced. @default none
   */
  fenceOf?: (source: string) => number | null;
  /** Told of each fenced write refused or accepted (`/metrics`, `/health`). @default none */
  fenced?: FenceReport;
}

const P = "odds:";

/** The odds store in Redis; see the module documentation for the keys. */
export function createRedisOddsStore(
  client: FleetRedis,
  options: RedisOddsStoreOptions = {},
): OddsStore {
  const tolerance = options.tolerance ?? 0.01;
  const keep = options.historyPerSource ?? 200;
  const keepAfter = options.keepAfterKickoffMs ?? 6 * 3_600_000;
  const now = options.now ?? (() => new Date());
  const redis = client.redis;
  const refuse = (source: string) => {
    options.fenced?.refused("odds", source);
    return new NotLeaderError(source);
  };

  async function loadMany(ids: string[]): Promise<(StoredMatch | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.get(`${P}match:${id}`).hvals(`${P}quote:${id}`);
    const replies = await client.timed("odds_load", () => execute(pipeline));
    return ids.map((_, i) => matchOf(replies[2 * i], replies[2 * i + 1]));
  }

  const load = async (id: string) => (await loadMany([id]))[0];

  return {
    async put(m: ScrapedMatch, at: Date): Promise<PutResult> {
      // Every book of a scrape source is fenced by the source's one lease.
      const feed = feedOf(m);
      let fence = "";
      if (options.fenceOf) {
        const f = options.fenceOf(feed);
        if (f === null) throw refuse(feed);
        fence = String(f);
      }
      const meta = metaOf(m);
      const metaJson = JSON.stringify(meta);
      // One round trip reads what a scrape compares against: most scrapes change nothing.
      const read = redis.pipeline().get(`${P}match:${m.id}`).hvals(`${P}quote:${m.id}`);
      if (fence) read.get(`fence:${feed}`);
      const [storedMeta, storedQuotes, storedFence] = await client.timed(
        "odds_get",
        () => execute(read),
      );
      const quotes = (storedQuotes as string[]).map((q) => JSON.parse(q) as SourceQuote);
      const prev = quotes.find((q) => q.source === m.source) ?? null;
      const r = nextQuote(prev, m, at, tolerance);
      if (!r.changed && storedMeta === metaJson) {
        // Nothing to write; a stale token is still refused, as the write script would.
        if (fence && Number(storedFence ?? 0) !== Number(fence)) throw refuse(feed);
        if (fence) options.fenced?.written("odds", feed);
        return {
          match: { ...meta, quotes: quotes.sort(byUpdate) },
          previous: r.previous,
          changed: false,
        };
      }
      const snapshot: OddsSnapshot = { at: r.quote.updated_at, source: m.source, odds: m.odds };
      const written = await client.timed("odds_put", (c) =>
        WRITE.run(c, [
          `fence:${feed}`,
          `${P}match:${m.id}`,
          `${P}kickoff`,
          `${P}quote:${m.id}`,
          `${P}history:${m.id}:${m.source}`,
        ], [
          fence,
          m.id,
          metaJson,
          Date.parse(meta.kickoff),
          m.source,
          r.changed ? JSON.stringify(r.quote) : "",
          JSON.stringify(snapshot),
          keep,
        ]));
      if (!Array.isArray(written)) throw refuse(feed);
      if (fence) options.fenced?.written("odds", feed);
      return { match: matchOf(metaJson, written)!, previous: r.previous, changed: r.changed };
    },

    async upcoming(filter: UpcomingFilter = {}): Promise<StoredMatch[]> {
      const from = (filter.from ?? now()).getTime();
      const limit = filter.limit ?? 500;
      const ids = await client.timed(
        "odds_upcoming",
        (r) => r.zrangebyscore(`${P}kickoff`, from, "+inf"),
      );
      const out: StoredMatch[] = [];
      // Matches are few (hundreds): load them in pages until the limit is met.
      for (let i = 0; i < ids.length && out.length < limit; i += 200) {
        for (const m of await loadMany(ids.slice(i, i + 200))) {
          if (m && (!filter.league || m.league === filter.league)) out.push(m);
          if (out.length >= limit) break;
        }
      }
      return out;
    },

    get: load,

    async history(id: string, opts: { source?: string } = {}): Promise<OddsSnapshot[]> {
      const lists = await client.timed("odds_history", async () => {
        const sources = opts.source ? [opts.source] : await redis.hkeys(`${P}quote:${id}`);
        const pipeline = redis.pipeline();
        for (const source of sources) pipeline.lrange(`${P}history:${id}:${source}`, 0, -1);
        return sources.length === 0 ? [] : await execute(pipeline);
      });
      const out = (lists as string[][]).flat().map((item) => JSON.parse(item) as OddsSnapshot);
      return out.sort((a, b) => a.at.localeCompare(b.at));
    },

    async cleanup(at: Date): Promise<number> {
      const end = at.getTime() - keepAfter;
      return await client.timed("odds_cleanup", async () => {
        const ids = await redis.zrangebyscore(`${P}kickoff`, "-inf", `(${end}`);
        if (ids.length === 0) return 0;
        const sourcesOf = redis.pipeline();
        for (const id of ids) sourcesOf.hkeys(`${P}quote:${id}`);
        const sources = (await execute(sourcesOf)) as string[][];
        const keys = ids.flatMap((id, i) => [
          `${P}match:${id}`,
          `${P}quote:${id}`,
          ...sources[i].map((s) => `${P}history:${id}:${s}`),
        ]);
        await execute(redis.pipeline().del(...keys).zrem(`${P}kickoff`, ...ids));
        return ids.length;
      });
    },
  };
}

/**
 * The replies of a pipeline; the first command error is thrown (inside `client.timed`, which
 * tells an outage apart from a refused command).
 */
async function execute(pipeline: ChainableCommander): Promise<unknown[]> {
  const out = (await pipeline.exec())!;
  const failed = out.find(([err]) => err);
  if (failed) throw failed[0];
  return out.map(([, value]) => value);
}

/** A stored match from its meta JSON and quote JSONs, or null when the meta is gone. */
function matchOf(meta: unknown, quotes: unknown): StoredMatch | null {
  if (typeof meta !== "string") return null;
  const parsed = (quotes as string[]).map((q) => JSON.parse(q) as SourceQuote);
  return { ...(JSON.parse(meta) as MatchMeta), quotes: parsed.sort(byUpdate) };
}
