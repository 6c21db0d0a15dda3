/**
 * Which instance of the fleet scrapes each odds source: one {@link SourceLease} per source, and
 * the status the leaders publish (breaker state, source metrics, last scrape) so every
 * instance's `/health` shows the sources as their leaders see them. The status is written with
 * the lease's fencing token, so a deposed leader cannot overwrite its successor's.
 * @module
 */
import type { FleetRedis } from "./redis_client.ts";
import { SourceLease } from "./source_lease.ts";

/** A source's leadership as `/health` shows it. */
export interface SourceLeaderStatus {
  /** The instance that last published the source's status within three TTLs, or null. */
  leader: string | null;
  /** Whether this instance leads the source. */
  is_leader: boolean;
  /** The fencing token of the lease the status was published with. */
  fence: number | null;
  /** What the leader published (its source metrics and last scrape), null when none. */
  detail: Record<string, unknown> | null;
  published_at: string | null;
}

/** Options of {@link SourceLeaders}. */
export interface SourceLeadersOptions {
  /** Names of the sources. */
  sources: string[];
  /** Life of a lease (a dead leader's sources are taken over within it). @default 10000 */
  ttlMs?: number;
  /** Stops the leases (released) and the status loop. */
  signal?: AbortSignal;
  /** Called when this instance starts (`true`) or stops leading a source. */
  onChange?: (source: string, leader: boolean) => void;
  /** What the leader publishes of a source. @default nothing */
  describe?: (source: string) => Record<string, unknown>;
  /** Clock for `published_at` (epoch ms). @default Date.now */
  now?: () => number;
}

const STATUS = "source_status:";

/** This instance's leases on the odds sources and the fleet's view of their leaders. */
export class SourceLeaders {
  readonly #redis: FleetRedis;
  readonly #leases = new Map<string, SourceLease>();
  readonly #ttl: number;
  readonly #describe: (source: string) => Record<string, unknown>;
  readonly #now: () => number;
  #remote = new Map<string, SourceLeaderStatus>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #publishing: Promise<void> | null = null;
  #closed = false;

  constructor(redis: FleetRedis, options: SourceLeadersOptions) {
    this.#redis = redis;
    this.#ttl = options.ttlMs ?? 10_000;
    this.#describe = options.describe ?? (() => ({}));
    this.#now = options.now ?? Date.now;
    for (const source of options.sources) {
      this.#leases.set(
        source,
        new SourceLease(redis, source, {
          ttlMs: this.#ttl,
          onChange: (leader) => options.onChange?.(source, leader),
        }),
      );
    }
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
  }

  /** Takes the free leases now, keeps contending for the others and publishes the status. */
  async start(): Promise<void> {
    await Promise.all([...this.#leases.values()].map((l) => l.start()));
    await this.#loop();
  }

  /** Whether this instance leads `source` now. */
  leads(source: string): boolean {
    return this.#leases.get(source)?.isLeader ?? false;
  }

  /** This instance's fencing token for `source`, null when it does not lead it. */
  fenceOf(source: string): number | null {
    return this.#leases.get(source)?.fence ?? null;
  }

  /** Every source's leadership: this instance's own view where it leads, else the published one. */
  status(): Record<string, SourceLeaderStatus> {
    const out: Record<string, SourceLeaderStatus> = {};
    for (const [source, lease] of this.#leases) {
      const remote = this.#remote.get(source);
      out[source] = lease.isLeader
        ? {
          leader: this.#redis.instanceId,
          is_leader: true,
          fence: lease.fence,
          detail: this.#describe(source),
          published_at: new Date(this.#now()).toISOString(),
        }
        : remote ??
          { leader: null, is_leader: false, fence: null, detail: null, published_at: null };
    }
    return out;
  }

  /** Publishes the status of the sources this instance leads and reads the others'. */
  async publish(): Promise<void> {
    const at = new Date(this.#now()).toISOString();
    for (const [source, lease] of this.#leases) {
      if (!lease.isLeader) continue;
      const status = {
        leader: this.#redis.instanceId,
        fence: lease.fence,
        detail: this.#describe(source),
        published_at: at,
      };
      await lease.write(`${STATUS}${source}`, JSON.stringify(status), 3 * this.#ttl);
    }
    const sources = [...this.#leases.keys()];
    const values = await this.#redis.timed(
      "source_status",
      (r) => r.mget(...sources.map((s) => `${STATUS}${s}`)),
    );
    const remote = new Map<string, SourceLeaderStatus>();
    sources.forEach((source, i) => {
      const v = values[i];
      if (!v) return;
      const s = JSON.parse(v);
      remote.set(source, {
        leader: s.leader,
        is_leader: false,
        fence: s.fence,
        detail: s.detail,
        published_at: s.published_at,
      });
    });
    this.#remote = remote;
  }

  /** Stops the status loop and releases every lease this instance holds. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#publishing;
    await Promise.all([...this.#leases.values()].map((l) => l.close()));
  }

  async #loop(): Promise<void> {
    if (this.#closed) return;
    this.#publishing = this.publish().catch(() => {
      // Redis away: the last view stays until it answers again.
    });
    await this.#publishing;
    this.#publishing = null;
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#loop(), Math.max(50, Math.floor(this.#ttl / 3)));
  }
}
