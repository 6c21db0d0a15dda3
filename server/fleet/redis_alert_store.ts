/**
 * The fleet's alert storage in Redis, behind the `AlertStorage` port of `alert_book.ts`: the
 * hash `alerts:a` (id -> alert JSON), the id sequence `alerts:seq` (INCR: ids are unique
 * across instances) and a change log (`alerts:ver`, and the sorted set `alerts:log` of ids by
 * the version that last touched them), from which every instance takes in, every refresh, what
 * the others stored. Alerts are written by the instance that published the value bet (the
 * leader of its source), so each change is stored once fleet-wide.
 *
 * The save script checks the write's guard first, in the same atomic step: the fencing token
 * (`fence:<source>` must still be the writer's, as for odds and events, so a leader paused past
 * its lease cannot write alerts after a new leader took over) and the expected alert (the
 * stored JSON must be the one the writer changed: a compare-and-set, so of two instances
 * settling the same alert only the first write lands).
 * @module
 */
import type { Alert, AlertChanges, AlertStorage } from "../live/alert_book.ts";
import { LuaScript } from "./lua_script.ts";
import type { FenceReport } from "./fenced_writes.ts";
import type { FleetRedis } from "./redis_client.ts";

// KEYS: hash, seq, ver, log, fence. ARGV: id, JSON, seq, log entries kept, fencing token
// ('' = unfenced), expected JSON ('' = unchecked), dropped ids...
const SAVE = new LuaScript(
  `if ARGV[5] ~= '' and tonumber(redis.call('GET', KEYS[5]) or '0') ~= tonumber(ARGV[5]) then
  return -1
end
if ARGV[6] ~= '' and redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[6] then
  return 0
end
local ver = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[3]) then
  redis.call('SET', KEYS[2], ARGV[3])
end
redis.call('ZADD', KEYS[4], ver, ARGV[1])
for i = 7, #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
  redis.call('ZADD', KEYS[4], ver, ARGV[i])
end
redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -tonumber(ARGV[4]) - 1)
return ver`,
  5,
);

const KEYS = ["alerts:a", "alerts:seq", "alerts:ver", "alerts:log"];

/** Options of {@link createRedisAlertStorage}. */
export interface RedisAlertStorageOptions {
  /** Change-log entries kept (a follower further behind reloads everything). @default 50000 */
  logLength?: number;
  /** Told of each fenced write refused or accepted (`/metrics`, `/health`). @default none */
  fenced?: FenceReport;
}

/** Alert storage shared by the fleet. */
export function createRedisAlertStorage(
  client: FleetRedis,
  options: RedisAlertStorageOptions = {},
): AlertStorage {
  const logLength = options.logLength ?? 50_000;
  /** The change-log version this instance has taken in. */
  let version = 0;
  return {
    async load() {
      const [ver, seq, all] = await client.timed(
        "alerts_load",
        (r) => Promise.all([r.get(KEYS[2]), r.get(KEYS[1]), r.hvals(KEYS[0])]),
      );
      version = Number(ver ?? 0);
      return { alerts: all.map((a) => JSON.parse(a) as Alert), seq: Number(seq ?? 0) };
    },
    async save(alert, seq, dropped, guard) {
      const fenceKey = `fence:${guard?.fence?.source ?? ""}`;
      const args = [
        alert.id,
        JSON.stringify(alert),
        seq,
        logLength,
        guard?.fence ? guard.fence.fence : "",
        // The book's copy came from JSON.parse of the stored text (or is what this instance
        // stored), and stringifying it again gives back the same text.
        guard?.expected ? JSON.stringify(guard.expected) : "",
        ...dropped,
      ];
      const ver = await client.timed("alerts_save", (r) => SAVE.run(r, [...KEYS, fenceKey], args));
      if (guard?.fence) {
        if (ver === -1) options.fenced?.refused("alert", guard.fence.source);
        else options.fenced?.written("alert", guard.fence.source);
      }
      // -1: a stale fencing token; 0: the stored alert is not the one the writer knew.
      return Number(ver) > 0;
    },
    async allocateId() {
      return await client.timed("alerts_id", (r) => r.incr(KEYS[1]));
    },
    async changes(): Promise<AlertChanges> {
      const entries = await client.timed(
        "alerts_changes",
        (r) => r.zrangebyscore(KEYS[3], `(${version}`, "+inf", "WITHSCORES"),
      );
      if (entries.length === 0) return { alerts: [], dropped: [] };
      const ids: string[] = [];
      let next = version;
      for (let i = 0; i < entries.length; i += 2) {
        ids.push(entries[i]);
        next = Math.max(next, Number(entries[i + 1]));
      }
      const values = await client.timed("alerts_get", (r) => r.hmget(KEYS[0], ...ids));
      // Only changes actually read are taken in: a failed read leaves them for the next refresh.
      version = next;
      const alerts: Alert[] = [];
      const dropped: number[] = [];
      values.forEach((v, i) => {
        if (v) alerts.push(JSON.parse(v));
        else dropped.push(Number(ids[i]));
      });
      return { alerts, dropped };
    },
  };
}
