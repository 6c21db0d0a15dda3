/**
 * One scraper per source across the fleet: the instance holding `lease:<source>` scrapes it.
 * The lease is `SET NX PX` with a random token, renewed at a third of its TTL by a
 * compare-and-renew script and released on shutdown by a compare-and-delete script, so an
 * instance never extends or deletes a lease it lost. Taking the lease also INCRs
 * `fence:<source>`: the fencing token (Kleppmann, "How to do distributed locking", 2016). A
 * paused leader whose lease expired still carries its old token, and {@link fencedSet} rejects
 * its writes once a newer token was issued.
 * @module
 */
import { LuaScript } from "./lua_script.ts";
import type { FleetRedis } from "./redis_client.ts";

const ACQUIRE = new LuaScript(
  `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0`,
  2,
);

const RENEW = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
  1,
);

const RELEASE = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  1,
);

const FENCED_SET = new LuaScript(
  `local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) ~= current then return 0 end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[2], ARGV[2])
end
return 1`,
  2,
);

/** Options of {@link SourceLease}. */
export interface SourceLeaseOptions {
  /** Life of the lease; the leader renews it every third. @default 10000 */
  ttlMs?: number;
  /** Stops the loop and releases the lease. */
  signal?: AbortSignal;
  /** Called when this instance becomes (`true`) or stops being (`false`) the leader. */
  onChange?: (leader: boolean) => void;
}

/** Options of {@link fencedSet}. */
export interface FencedSetOptions {
  /** The source whose fencing token guards the write. */
  source: string;
  /** The writer's fencing token. */
  fence: number;
  key: string;
  value: string;
  /** Expiry of the written key; 0 keeps it. @default 0 */
  ttlMs?: number;
}

/**
 * SETs `key` only if `fence` is the newest fencing token of `source`: a writer whose lease was
 * taken over gets `false` and its value is not written.
 */
export async function fencedSet(redis: FleetRedis, options: FencedSetOptions): Promise<boolean> {
  const keys = [`fence:${options.source}`, options.key];
  const args = [options.fence, options.value, options.ttlMs ?? 0];
  return await redis.timed("fenced_set", (r) => FENCED_SET.run(r, keys, args)) === 1;
}

/** This instance's claim on one source. */
export class SourceLease {
  readonly source: string;
  readonly #redis: FleetRedis;
  readonly #ttl: number;
  readonly #onChange: (leader: boolean) => void;
  readonly #token = crypto.randomUUID();
  #fence: number | null = null;
  /** Until when the lease is surely ours (performance.now() ms), counted from the request. */
  #validUntil = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(redis: FleetRedis, source: string, options: SourceLeaseOptions = {}) {
    this.#redis = redis;
    this.source = source;
    this.#ttl = options.ttlMs ?? 10_000;
    this.#onChange = options.onChange ?? (() => {});
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
  }

  /** Whether this instance holds the lease now (false once its TTL passed without a renewal). */
  get isLeader(): boolean {
    return this.#fence !== null && performance.now() < this.#validUntil;
  }

  /** The fencing token taken with the lease, null when not the leader. */
  get fence(): number | null {
    return this.isLeader ? this.#fence : null;
  }

  /** Tries to take the lease now and then keeps trying (or renewing) every third of the TTL. */
  start(): Promise<void> {
    this.#stopped = false;
    return this.#tick();
  }

  /** Takes the lease if it is free, or renews it if it is ours; returns whether we lead. */
  async attempt(): Promise<boolean> {
    const t0 = performance.now();
    const wasLeader = this.isLeader;
    try {
      if (this.#fence !== null) {
        const renewed = await this.#redis.timed(
          "lease_renew",
          (r) => RENEW.run(r, [this.#key], [this.#token, this.#ttl]),
        );
        if (renewed === 1) this.#validUntil = t0 + this.#ttl;
        else this.#fence = null;
      }
      if (this.#fence === null) {
        const fence = Number(
          await this.#redis.timed(
            "lease_acquire",
            (r) => ACQUIRE.run(r, [this.#key, `fence:${this.source}`], [this.#token, this.#ttl]),
          ),
        );
        if (fence > 0) {
          this.#fence = fence;
          this.#validUntil = t0 + this.#ttl;
        }
      }
    } catch {
      // Redis away: the lease lapses by itself when its TTL passes without a renewal.
    }
    if (this.isLeader !== wasLeader) this.#onChange(this.isLeader);
    return this.isLeader;
  }

  /** Writes `key` guarded by this lease's fencing token (false when the lease was lost). */
  write(key: string, value: string, ttlMs = 0): Promise<boolean> {
    const fence = this.fence;
    if (fence === null) return Promise.resolve(false);
    return fencedSet(this.#redis, { source: this.source, fence, key, value, ttlMs });
  }

  /** Stops renewing without releasing (the lease then expires after its TTL). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Stops renewing and deletes the lease if it is still ours, so another instance takes over. */
  async close(): Promise<void> {
    await this.stop();
    if (this.#fence === null) return;
    const wasLeader = this.isLeader;
    this.#fence = null;
    await this.#redis.timed("lease_release", (r) => RELEASE.run(r, [this.#key], [this.#token]))
      .catch(() => {});
    if (wasLeader) this.#onChange(false);
  }

  get #key(): string {
    return `lease:${this.source}`;
  }

  #tick(): Promise<void> {
    this.#running = this.attempt().then(() => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => void this.#tick(), Math.max(1, Math.floor(this.#ttl / 3)));
    });
    return this.#running;
  }
}
