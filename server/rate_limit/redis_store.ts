/**
 * Fleet-wide rate-limit counters in Redis: every hit runs one Lua script that INCRs the
 * client's window key and, on the window's first hit, PEXPIREs it, so the count is exact across
 * instances and the key cleans itself up.
 *
 * Lua per hit versus budget leases: a lease would take a slice of the budget (say 10 hits) with
 * one INCRBY and count it locally, costing a tenth of the round trips but letting a client exceed
 * the limit by up to the unused slices of the other instances, and making the 429 depend on
 * which instance a request lands on. Measured with `deno run -A --unstable-kv bench/fleet.ts`
 * against a local Redis 7 on a 2-core machine (shared with other work, so figures vary), the
 * script does 4-24k hits/s one at a time (40-250 us a round trip) and about 100k hits/s with 64
 * in flight on one auto-pipelined connection; over HTTP, rate-limited uncached predictions on
 * one instance keep 72-94 % of the embedded KV store's throughput (`deno task bench fleet`).
 * That is far above what one instance serves, so the exact script wins and leases are not worth
 * their overshoot.
 *
 * While Redis is away (or a command fails) the hit is counted in a local window instead, and
 * the count returned is the local count times the number of live instances (last heartbeat):
 * the middleware compares it with its limit, so each instance then admits limit / instances per
 * client without the store knowing the limit. Once the client reconnects, hits go to Redis again.
 * An instance that starts while Redis is already down has seen no heartbeat: it divides by the
 * fleet size it saw last (persisted in its KV database) or else `FLEET_INSTANCES_HINT` (default
 * 2, `render.yaml` sets it to its `numInstances`), never by 1 alone (`server/fleet/instances.ts`).
 * @module
 */
import type { FleetRedis } from "../fleet/redis_client.ts";
import { LuaScript } from "../fleet/lua_script.ts";
import { MemoryRateLimitStore } from "./memory_store.ts";
import type { RateLimitStore } from "./store.ts";

const HIT = new LuaScript(
  `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`,
  1,
);

/** Options of {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /** Live instances of the fleet (at least 1); the fallback admits limit / this. @default () => 1 */
  instances?: () => number;
  /** Key prefix after the client's own; keys are `<prefix><windowStart>:<client>`. @default "rl:" */
  prefix?: string;
}

/** A {@link RateLimitStore} shared by the fleet through Redis, with a scaled local fallback. */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: FleetRedis;
  readonly #instances: () => number;
  readonly #prefix: string;
  readonly #local = new MemoryRateLimitStore();
  #fallbacks = 0;

  constructor(redis: FleetRedis, options: RedisRateLimitStoreOptions = {}) {
    this.#redis = redis;
    this.#instances = options.instances ?? (() => 1);
    this.#prefix = options.prefix ?? "rl:";
  }

  hit(key: string, windowStart: number, windowMs: number): Promise<number> | number {
    if (!this.#redis.isUp) return this.#fallback(key, windowStart, windowMs);
    return this.#redis.timed(
      "rate_limit",
      (r) => HIT.run(r, [`${this.#prefix}${windowStart}:${key}`], [windowMs]),
    ).then(Number, () => this.#fallback(key, windowStart, windowMs));
  }

  /** Hits answered by the local window because Redis was away. */
  get fallbacks(): number {
    return this.#fallbacks;
  }

  close(): void {
    this.#local.close();
  }

  #fallback(key: string, windowStart: number, windowMs: number): number {
    this.#fallbacks++;
    this.#redis.fallback("rate_limit");
    const instances = Math.max(1, Math.floor(this.#instances()) || 1);
    return this.#local.hit(key, windowStart, windowMs) * instances;
  }
}
