/**
 * The open value bets of the fleet, in Redis, so every instance answers `/api/v1/value-bets`
 * the same and a new leader of a source continues from the bets already open (it neither
 * forgets them nor announces them again). The hash `vbets:open` maps a match id to its open bets
 * (JSON). A write is one script that first checks the writer's fencing token for the source, as
 * odds and events are: a leader paused past its lease writes nothing.
 * @module
 */
import type { ValueBetStore } from "../live/change_detection.ts";
import type { OpenMatchBets } from "../live/value_bet_tracker.ts";
import type { FenceReport } from "./fenced_writes.ts";
import { LuaScript } from "./lua_script.ts";
import type { FleetRedis } from "./redis_client.ts";

// KEYS: hash, fence. ARGV: fencing token ('' = unfenced), match id, JSON ('' = none open).
const WRITE = new LuaScript(
  `if ARGV[1] ~= '' and tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[1]) then
  return 0
end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[2])
else redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) end
return 1`,
  2,
);

const KEY = "vbets:open";

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
  const all = async () =>
    (await client.timed("vbets_all", (r) => r.hvals(KEY))).map((v) =>
      JSON.parse(v) as OpenMatchBets
    );
  return {
    async get(matchId) {
      const v = await client.timed("vbets_get", (r) => r.hget(KEY, matchId));
      return v ? JSON.parse(v) as OpenMatchBets : null;
    },
    async put(matchId, open, source) {
      let fence = "";
      if (options.fenceOf) {
        const f = options.fenceOf(source);
        if (f === null) {
          options.fenced?.refused("value_bet", source);
          return false;
        }
        fence = String(f);
      }
      const json = open && open.bets.length ? JSON.stringify(open) : "";
      const written = await client.timed(
        "vbets_put",
        (r) => WRITE.run(r, [KEY, `fence:${source}`], [fence, matchId, json]),
      );
      if (fence) {
        if (written === 1) options.fenced?.written("value_bet", source);
        else options.fenced?.refused("value_bet", source);
      }
      return written === 1;
    },
    all,
    async prune(cutoff) {
      const gone = (await all()).filter((o) => o.match.kickoff < cutoff).map((o) => o.match.id);
      if (gone.length) await client.timed("vbets_prune", (r) => r.hdel(KEY, ...gone));
    },
  };
}
