/**
 * The one Redis connection of a fleet instance. Commands fail fast while Redis is away
 * (no offline queue, one retry) so callers fall back at once instead of queueing behind an
 * outage; the client reconnects by itself with a capped backoff. Its state (`up`, `degraded`,
 * `disabled`), round-trip time and last error form the `redis` component of `/health`, and an
 * outage is logged once when it starts and once when it ends, never per command.
 * @module
 */
import { Redis } from "ioredis";
import { defaultInstanceId } from "./instance_id.ts";
import { RedisUnavailableError } from "./redis_unavailable.ts";
import { redactPassword, redisUrlProblem } from "./redis_url.ts";

export { defaultInstanceId, RedisUnavailableError };

/** The part of the service's logger the client writes to. */
export interface StatusLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
}

/** Where metrics plug in; every hook is optional. */
export interface RedisClientHooks {
  /** Redis became reachable (`true`) or not (`false`): the up gauge. */
  onUp?: (up: boolean) => void;
  /** A command finished (or failed) after `seconds`: the command latency histogram. */
  onCommand?: (command: string, seconds: number) => void;
  /** A component answered locally because Redis was away: the fallback counter. */
  onFallback?: (component: string) => void;
}

/** Options of {@link FleetRedis}. */
export interface FleetRedisOptions {
  /** `redis://[:password@]host[:port][/db]` or `rediss://...` for TLS. */
  url: string;
  /** Prefix of every key this instance writes. @default "sabi:" */
  keyPrefix?: string;
  /** Name of this instance in the fleet. @default `${hostname}:${pid}` */
  instanceId?: string;
  /** Where the outage and recovery lines go. @default console */
  logger?: StatusLogger;
  /** What the service does without Redis, named in the outage line. @default "local state" */
  fallback?: string;
  /** Period of the PING that measures the round-trip time. @default 5000 */
  pingIntervalMs?: number;
  /** Longest wait for a connection. @default 2000 */
  connectTimeoutMs?: number;
  /**
   * Longest wait for a command's reply. Without it a command in flight when the link is cut waits
   * for the reconnect it is retried on, and the request holding it hangs (the drill saw 27 s
   * while the link to Redis was down); with it the caller falls back or answers 503. @default 3000
   */
  commandTimeoutMs?: number;
  /** Longest wait between reconnect attempts (the backoff doubles from 50 ms up to this). @default 2000 */
  maxBackoffMs?: number;
  /** Stops the PING loop and closes the connections. */
  signal?: AbortSignal;
  /** Metrics hooks. */
  hooks?: RedisClientHooks;
}

/** State of the Redis component. */
export type RedisState = "up" | "degraded" | "disabled";

/** The `redis` component of `/health`. */
export interface RedisStatus {
  state: RedisState;
  /** `host:port`, never the password. */
  address: string | null;
  instance_id: string;
  /** Last PING round trip in milliseconds, null before the first. */
  rtt_ms: number | null;
  /** Last connection error, with the password removed. */
  last_error: string | null;
  /** Fallbacks answered locally, by component. */
  fallbacks: Record<string, number>;
}

/** The status of an instance running without Redis (REDIS_URL unset). */
export function disabledRedisStatus(instanceId = defaultInstanceId()): RedisStatus {
  return {
    state: "disabled",
    address: null,
    instance_id: instanceId,
    rtt_ms: null,
    last_error: null,
    fallbacks: {},
  };
}

/** A Redis connection with fail-fast commands, outage logging and a status snapshot. */
export class FleetRedis {
  readonly instanceId: string;
  readonly keyPrefix: string;
  readonly #redis: Redis;
  readonly #address: string;
  readonly #password: string;
  /** Kept to redact its password from error messages. */
  readonly #url: string;
  readonly #logger: StatusLogger;
  readonly #fallback: string;
  readonly #hooks: RedisClientHooks;
  readonly #duplicates = new Set<Redis>();
  #state: RedisState = "degraded";
  #rtt: number | null = null;
  #lastError: string | null = null;
  #warned = false;
  #fallbacks: Record<string, number> = {};
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: FleetRedisOptions) {
    const problem = redisUrlProblem(options.url);
    if (problem) throw new Error(`Cannot use the Redis URL: ${problem}`);
    const url = new URL(options.url);
    this.#url = options.url;
    const port = Number(url.port || 6379);
    this.#address = `${url.hostname}:${port}`;
    this.#password = decodeURIComponent(url.password);
    this.instanceId = options.instanceId ?? defaultInstanceId();
    this.keyPrefix = options.keyPrefix ?? "sabi:";
    this.#logger = options.logger ?? console;
    this.#fallback = options.fallback ?? "local state";
    this.#hooks = options.hooks ?? {};
    const maxBackoff = options.maxBackoffMs ?? 2000;
    this.#redis = new Redis({
      host: url.hostname,
      port,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: this.#password || undefined,
      db: Number(url.pathname.slice(1) || 0),
      tls: url.protocol === "rediss:" ? { servername: url.hostname } : undefined,
      keyPrefix: this.keyPrefix,
      connectionName: this.instanceId,
      // A queue would hold commands during an outage and hide it; failing fast lets callers
      // fall back at once.
      enableOfflineQueue: false,
      // Commands issued in one tick go out as one pipeline: with requests in flight, the rate
      // limiter's scripts share writes and reads (bench fleet: ~15-22k -> ~100k hits/s, 64 in
      // flight on one connection).
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      commandTimeout: options.commandTimeoutMs ?? 3000,
      retryStrategy: (times) => Math.min(maxBackoff, 50 * 2 ** Math.min(times, 10)),
    });
    this.#redis.on("error", (error: Error) => this.#down(error));
    this.#redis.on("close", () => this.#down(new Error("connection closed")));
    this.#redis.on("ready", () => this.#up());
    const interval = options.pingIntervalMs ?? 5000;
    this.#pingTimer = setInterval(() => void this.ping().catch(() => {}), interval);
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
  }

  /** The shared connection (commands fail at once while Redis is away). */
  get redis(): Redis {
    return this.#redis;
  }

  /** Current state: `up` when commands reach Redis. */
  get state(): RedisState {
    return this.#state;
  }

  /** Whether commands currently reach Redis. */
  get isUp(): boolean {
    return this.#state === "up";
  }

  /**
   * Resolves true once Redis is reachable, or false after `timeoutMs` (the client keeps
   * reconnecting either way). Lets an instance start on Redis rather than in fallback.
   */
  whenUp(timeoutMs: number): Promise<boolean> {
    if (this.isUp) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (up: boolean) => {
        clearTimeout(timer);
        this.#redis.off("ready", onReady);
        resolve(up);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(this.isUp), timeoutMs);
      this.#redis.on("ready", onReady);
    });
  }

  /**
   * A second connection with the same settings, for SUBSCRIBE (a subscribed connection takes
   * no other commands). Closed with this client.
   */
  duplicate(): Redis {
    const copy = this.#redis.duplicate();
    copy.on("error", (error: Error) => this.#down(error));
    this.#duplicates.add(copy);
    copy.once("end", () => this.#duplicates.delete(copy));
    return copy;
  }

  /** Sends a PING and records its round trip. */
  async ping(): Promise<number> {
    const t0 = performance.now();
    try {
      await this.#redis.ping();
    } catch (error) {
      this.#commandFailed(error);
      throw error;
    }
    this.#rtt = performance.now() - t0;
    this.#hooks.onCommand?.("ping", this.#rtt / 1000);
    return this.#rtt;
  }

  /**
   * Runs `command` on Redis, timing it for the latency hook; a failure marks Redis degraded. A
   * command that did not reach Redis fails with {@link RedisUnavailableError} (a route reading
   * Redis then answers the 503 `redis_unavailable` rather than a 500).
   */
  async timed<T>(name: string, command: (redis: Redis) => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await command(this.#redis);
    } catch (error) {
      this.#commandFailed(error);
      throw isConnectionError(error) ? new RedisUnavailableError(error) : error;
    } finally {
      this.#hooks.onCommand?.(name, (performance.now() - t0) / 1000);
    }
  }

  /** Records that `component` answered locally because Redis was away. */
  fallback(component: string): void {
    this.#fallbacks[component] = (this.#fallbacks[component] ?? 0) + 1;
    this.#hooks.onFallback?.(component);
  }

  /** The `redis` component of `/health`. */
  status(): RedisStatus {
    return {
      state: this.#state,
      address: this.#address,
      instance_id: this.instanceId,
      rtt_ms: this.#rtt,
      last_error: this.#lastError,
      fallbacks: { ...this.#fallbacks },
    };
  }

  /** Stops the PING loop and closes every connection. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#pingTimer);
    this.#state = "disabled";
    const all = [this.#redis, ...this.#duplicates];
    return Promise.all(all.map((r) => closeConnection(r))).then(() => {});
  }

  /**
   * A failed command reveals an outage only while Redis counted as up: before the first
   * connection, or during a known outage, the connection's own events tell the story.
   */
  #commandFailed(error: unknown): void {
    if (this.#state === "up" && !isReplyError(error)) this.#down(error);
  }

  #down(error: unknown): void {
    if (this.#closed) return;
    this.#lastError = redactPassword(
      error instanceof Error ? error.message : String(error),
      this.#url,
    );
    const wasUp = this.#state === "up";
    this.#state = "degraded";
    if (wasUp) this.#hooks.onUp?.(false);
    if (this.#warned) return;
    this.#warned = true;
    this.#logger.warn(
      `Redis unavailable at ${this.#address}, falling back to ${this.#fallback}: ${this.#lastError}`,
      { component: "redis", instance_id: this.instanceId },
    );
  }

  #up(): void {
    if (this.#closed) return;
    this.#state = "up";
    this.#hooks.onUp?.(true);
    // The round trip is known from the first connection on, not only after a PING period.
    void this.ping().catch(() => {});
    if (this.#warned) {
      this.#warned = false;
      this.#logger.info(`Redis available again at ${this.#address}`, {
        component: "redis",
        instance_id: this.instanceId,
      });
    }
  }
}

/**
 * Whether `error` says the command never got an answer from Redis (refused, closed, cut, timed
 * out, retries exhausted) rather than Redis refusing it or the caller's own code failing.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error) || isReplyError(error)) return false;
  return error.name === "MaxRetriesPerRequestError" ||
    /connection is closed|command aborted due to connection close|stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|connect timeout|command timed out/i
      .test(error.message);
}

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

/** QUIT when connected (pending replies arrive), otherwise drop the socket and reconnect timer. */
async function closeConnection(redis: Redis): Promise<void> {
  if (redis.status === "ready") {
    try {
      await redis.quit();
      return;
    } catch {
      // Fall through to a hard disconnect.
    }
  }
  redis.disconnect(false);
}
