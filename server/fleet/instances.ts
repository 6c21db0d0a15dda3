/**
 * Which instances of the fleet are alive: each instance writes `instance:<id>` with a TTL every
 * `intervalMs` and lists the keys that still exist. The last list is kept, so the rate-limit
 * fallback can divide by the fleet size while Redis is away, and `/health` can show the fleet.
 *
 * An instance that starts while Redis is already down has no list yet. Counting only itself
 * would let every such instance admit the whole limit, so until its first heartbeat it assumes
 * the fleet size it last saw (kept in its KV database, which survives a restart when KV is a
 * file) or else the operator's `FLEET_INSTANCES_HINT` (2 by default: fleet mode exists to run
 * two or more instances, and Render's blueprint runs 2). Too high a guess only makes the
 * outage's per-instance share stricter; too low lets the fleet overshoot by that factor.
 * @module
 */
/// <reference lib="deno.unstable" />
import type { FleetRedis } from "./redis_client.ts";

/** Options of {@link InstanceRegistry}. */
export interface InstanceRegistryOptions {
  /** Period of the heartbeat. @default 2000 */
  intervalMs?: number;
  /** Life of a heartbeat key: an instance missing this long is gone. @default 3 * intervalMs */
  ttlMs?: number;
  /** Stops the heartbeat and deletes this instance's key. */
  signal?: AbortSignal;
  /** Clock for `since` in the heartbeat (epoch ms). @default Date.now */
  now?: () => number;
  /**
   * Fleet size assumed before the first heartbeat when none was persisted
   * (`FLEET_INSTANCES_HINT`). @default 2
   */
  expected?: number;
  /** Where the last fleet size seen is kept across restarts. @default none */
  kv?: Deno.Kv;
}

/** KV key of the last fleet size seen. */
export const LAST_COUNT_KEY: Deno.KvKey = ["fleet", "instances_seen"];

/** A live instance as its heartbeat describes it. */
export interface InstanceBeat {
  instance_id: string;
  /** When the instance started (epoch ms). */
  started_at: number;
  /** When it last wrote its heartbeat (epoch ms). */
  beat_at: number;
}

const KEY = "instance:";

/** The heartbeat of this instance and the list of the fleet's live instances. */
export class InstanceRegistry {
  readonly #redis: FleetRedis;
  readonly #interval: number;
  readonly #ttl: number;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #kv: Deno.Kv | undefined;
  /** What {@link count} answers before the first heartbeat list. */
  #assumed: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #last: InstanceBeat[] = [];
  #beating: Promise<void> | null = null;
  #closed = false;

  constructor(redis: FleetRedis, options: InstanceRegistryOptions = {}) {
    this.#redis = redis;
    this.#interval = options.intervalMs ?? 2000;
    this.#ttl = options.ttlMs ?? 3 * this.#interval;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#kv = options.kv;
    this.#assumed = Math.max(1, Math.floor(options.expected ?? 2));
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
  }

  /**
   * Takes the fleet size persisted by a previous run, then writes the first heartbeat now and
   * then every `intervalMs`.
   */
  async start(): Promise<void> {
    const persisted = await this.#kv?.get<number>(LAST_COUNT_KEY).catch(() => null);
    if (typeof persisted?.value === "number" && persisted.value >= 1) {
      this.#assumed = persisted.value;
    }
    await this.#beat();
  }

  /** Writes this instance's heartbeat and refreshes the list (failures keep the last list). */
  async beat(): Promise<void> {
    if (this.#closed) return;
    try {
      const beat: InstanceBeat = {
        instance_id: this.#redis.instanceId,
        started_at: this.#startedAt,
        beat_at: this.#now(),
      };
      await this.#redis.timed(
        "heartbeat",
        (r) => r.set(KEY + beat.instance_id, JSON.stringify(beat), "PX", this.#ttl),
      );
      const before = this.#last.length;
      this.#last = await this.seen();
      if (this.#last.length > 0 && this.#last.length !== before) {
        await this.#kv?.set(LAST_COUNT_KEY, this.#last.length).catch(() => {});
      }
    } catch {
      // Redis away: the client logs it once; the last list stands in until it is back.
    } finally {
      if (!this.#closed) {
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => void this.#beat(), this.#interval);
      }
    }
  }

  #beat(): Promise<void> {
    this.#beating = this.beat();
    return this.#beating;
  }

  /** The live instances, read from Redis now (ordered by id). */
  async seen(): Promise<InstanceBeat[]> {
    const prefix = this.#redis.keyPrefix;
    const keys: string[] = [];
    // SCAN patterns and the keys it returns carry the full key: ioredis adds no prefix there.
    let cursor = "0";
    do {
      const [next, batch] = await this.#redis.timed(
        "scan",
        (r) => r.scan(cursor, "MATCH", `${prefix}${KEY}*`, "COUNT", 500),
      );
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
    if (keys.length === 0) return [];
    const values = await this.#redis.timed(
      "mget",
      (r) => r.mget(...keys.map((k) => k.slice(prefix.length))),
    );
    const beats = values.filter((v): v is string => v !== null).map((v) =>
      JSON.parse(v) as InstanceBeat
    );
    return beats.sort((a, b) => a.instance_id.localeCompare(b.instance_id));
  }

  /** The instances of the last successful heartbeat. */
  get last(): readonly InstanceBeat[] {
    return this.#last;
  }

  /**
   * Number of live instances at the last heartbeat; before the first one, the size persisted
   * by a previous run or else the expected size (see the module documentation).
   */
  count(): number {
    return this.#last.length > 0 ? this.#last.length : this.#assumed;
  }

  /** Stops the heartbeat and removes this instance's key, so the others stop counting it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#beating?.catch(() => {});
    if (this.#redis.isUp) {
      await this.#redis.redis.del(KEY + this.#redis.instanceId).catch(() => {});
    }
  }
}
