/**
 * The open value bets of the fleet, in Redis, so every instance answers `/api/v1/value-bets`
 * the same and a new leader of a source continues from the bets already open (it neither
 * forgets them nor announces them again). The hash `vbets:open` maps a match id to its bets and
 * the prices they were made from (JSON; an empty list once every bet closed, so those prices
 * stay known), and the hash `vbets:rev` maps it to its revision.
 *
 * A write is one script that first checks the writer's fencing token for the source, as odds
 * and events are (a leader paused past its lease writes nothing), then that the match's revision
 * is still the one the writer computed from (several sources' leaders write one match) and that
 * the stored bets were made from older prices than the writer's (a leader that read the prices
 * before the last writer has nothing to add), and only then writes. A refused writer gets the
 * stored bets back in the same reply, so a conflict costs no extra read.
 *
 * The revision counts the writes that opened, moved or closed a bet. A write that announces
 * nothing (the bets the writer computed from stay, only their prices and the ones they were made
 * from are newer) keeps it, so it does not send the other leaders of the match into a conflict
 * and a retry: what they computed from is still what is stored, as far as events go.
 *
 * Why a revision rather than the value read: the writer would have to send back the JSON it read
 * (the match's summary and its bets, about a kilobyte) with every write, for the script to
 * compare; a revision is a few bytes. It only grows while the match is stored, and both fields
 * go together when the match is pruned after kick-off, when no source writes it any more.
 * @module
 */
import type {
  PriceStamp,
  StoredValueBets,
  ValueBetStore,
  ValueBetWriteResult,
} from "../live/shared_value_bets.ts";
import type { OpenMatchBets } from "../live/value_bet_tracker.ts";
import type { FenceReport } from "./fenced_writes.ts";
import { LuaScript } from "./lua_script.ts";
import type { FleetRedis } from "./redis_client.ts";

// KEYS: bets hash, revision hash, fence. ARGV: fencing token ('' = unfenced), match id,
// revision read, JSON, prices JSON, '1' when the write announces events (bumps the revision).
// Returns {1, revision after}, {2, stored revision, stored JSON or ''} when the revision moved on
// or the stored bets were made from prices at least as new, or {0} when fenced out.
const WRITE = new LuaScript(
  `if ARGV[1] ~= '' and tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[1]) then
  return {0}
end
local stored = redis.call('HGET', KEYS[1], ARGV[2])
local revision = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
local covered = false
if stored then
  local have = cjson.decode(stored).prices
  if type(have) == 'table' then
    covered = true
    for source, n in pairs(cjson.decode(ARGV[5])) do
      if (tonumber(have[source]) or 0) < n then covered = false break end
    end
  end
end
if covered or revision ~= tonumber(ARGV[3]) then return {2, revision, stored or ''} end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
if ARGV[6] == '1' then revision = redis.call('HINCRBY', KEYS[2], ARGV[2], 1) end
return {1, revision}`,
  3,
);

const KEY = "vbets:open";
const REVISIONS = "vbets:rev";

/** What the hash holds per match. */
interface StoredRecord extends OpenMatchBets {
  /** Absent in records written before bets carried their prices. */
  prices?: PriceStamp;
}

function storedOf(json: string | null, revision: number): StoredValueBets {
  if (!json) return { open: null, prices: {}, revision };
  const { match, bets, prices } = JSON.parse(json) as StoredRecord;
  return { open: { match, bets }, prices: prices ?? {}, revision };
}

/** Options of {@link createRedisValueBets}. */
export interface RedisValueBetsOptions {
  /**
   * This instance's fencing token for a source, null when it does not lead it (its writes are
   * then refused). Without it writes are unfenced. @default none
   */
  fenceOf?: (source: string) => number | null;
  /** Told of each fenced write refused or accepted (`/metrics`, `/health`). @default none */
  fenced?: FenceReport;
}

/** Open value bets shared by the fleet. */
export function createRedisValueBets(
  client: FleetRedis,
  options: RedisValueBetsOptions = {},
): ValueBetStore {
  const records = async () =>
    (await client.timed("vbets_all", (r) => r.hvals(KEY))).map((v) =>
      JSON.parse(v) as StoredRecord
    );
  return {
    async get(matchId) {
      const [json, revision] = await client.timed(
        "vbets_get",
        (r) => Promise.all([r.hget(KEY, matchId), r.hget(REVISIONS, matchId)]),
      );
      return storedOf(json, Number(revision ?? 0));
    },
    async put(matchId, write): Promise<ValueBetWriteResult> {
      const source = write.source;
      let fence = "";
      if (options.fenceOf) {
        const f = options.fenceOf(source);
        if (f === null) {
          options.fenced?.refused("value_bet", source);
          return { outcome: "refused" };
        }
        fence = String(f);
      }
      const json = JSON.stringify({ ...write.open, prices: write.prices });
      const reply = await client.timed(
        "vbets_put",
        (r) =>
          WRITE.run(r, [KEY, REVISIONS, `fence:${source}`], [
            fence,
            matchId,
            write.revision,
            json,
            JSON.stringify(write.prices),
            write.announces ? "1" : "0",
          ]),
      ) as [number, number?, string?];
      if (reply[0] === 0) {
        options.fenced?.refused("value_bet", source);
        return { outcome: "refused" };
      }
      if (fence) options.fenced?.written("value_bet", source);
      if (reply[0] === 1) return { outcome: "written", revision: reply[1]! };
      return { outcome: "conflict", current: storedOf(reply[2] || null, reply[1]!) };
    },
    async all() {
      return (await records()).filter((o) => o.bets.length > 0).map(({ match, bets }) => ({
        match,
        bets,
      }));
    },
    async prune(cutoff) {
      const gone = (await records()).filter((o) => o.match.kickoff < cutoff).map((o) => o.match.id);
      if (gone.length === 0) return;
      await client.timed(
        "vbets_prune",
        (r) => r.multi().hdel(KEY, ...gone).hdel(REVISIONS, ...gone).exec(),
      );
    },
  };
}
