/**
 * Test helpers for real Redis: whether the shared server or a redis-server binary is there, and
 * a private redis-server on a free port that a test may kill and restart.
 * @module
 */

import { FleetRedis, type FleetRedisOptions } from "./redis_client.ts";

/** URL of the shared test Redis. */
export const SHARED_REDIS_URL = "redis://127.0.0.1:6379";

/** A logger that drops the outage lines tests provoke on purpose. */
export const QUIET_LOGGER = { warn() {}, info() {} };

/**
 * Whether something answers PING at `host:port` within a second: with PONG, or with any Redis
 * reply when `anyReply` (a server with a password answers -NOAUTH).
 */
export async function redisReachable(
  port = 6379,
  host = "127.0.0.1",
  anyReply = false,
): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: host, port });
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buf = new Uint8Array(16);
    const timer = setTimeout(() => conn?.close(), 1000);
    const n = await conn.read(buf).finally(() => clearTimeout(timer));
    const reply = n === null ? "" : new TextDecoder().decode(buf.subarray(0, n));
    return reply.startsWith("+PONG") || (anyReply && /^[-+]/.test(reply));
  } catch {
    return false;
  } finally {
    try {
      conn?.close();
    } catch {
      // Already closed by the timeout.
    }
  }
}

/** Whether a `redis-server` binary can be started. */
export async function redisServerInstalled(): Promise<boolean> {
  try {
    const out = await new Deno.Command("redis-server", { args: ["--version"], stdout: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** A unique key prefix, so tests sharing one Redis do not see each other's keys. */
export function testPrefix(name: string): string {
  return `test:${name}:${crypto.randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under `prefix` on the shared Redis (a test's cleanup). */
export async function deleteKeys(redis: import("ioredis").Redis, prefix: string): Promise<void> {
  // ioredis prefixes command keys but not SCAN patterns or the keys SCAN returns.
  const stream = redis.scanStream({ match: `${prefix}*`, count: 500 });
  for await (const keys of stream) {
    if ((keys as string[]).length === 0) continue;
    await redis.call("DEL", ...(keys as string[]));
  }
}

/** A redis-server of its own on a free port, without persistence. */
export class PrivateRedis {
  #port: number;
  #child: Deno.ChildProcess | null = null;
  #started = false;

  readonly #args: string[];

  /** `args` are extra redis-server arguments (e.g. `["--requirepass", "secret"]`). */
  constructor(args: string[] = []) {
    this.#port = freePort();
    this.#args = args;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.#port}`;
  }

  /**
   * Starts the server and waits until it answers. The first start moves to another free port
   * if another process took this one since it was picked (a restart keeps its port: clients
   * hold its URL).
   */
  async start(): Promise<void> {
    for (let attempt = 1;; attempt++) {
      if (await this.#spawn()) {
        this.#started = true;
        return;
      }
      if (this.#started || attempt === 3) {
        throw new Error(`redis-server on port ${this.#port} did not start`);
      }
      this.#port = freePort();
    }
  }

  /** Spawns redis-server; false if it exited (its port taken) or never listened. */
  async #spawn(): Promise<boolean> {
    const child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(this.#port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        ...this.#args,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    let exited = false;
    const status = child.status.then(() => void (exited = true));
    // A deadline on a real process's start-up, generous for a busy machine.
    const deadline = Date.now() + 20_000;
    // A PONG, not a connection, and only while our child runs: another process (which does
    // not answer PING) may hold the port.
    while (!exited && !(await redisReachable(this.#port, "127.0.0.1", true))) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!exited && await redisReachable(this.#port, "127.0.0.1", true)) {
      this.#child = child;
      return true;
    }
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await status;
    return false;
  }

  /** Kills the server and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    child.kill("SIGKILL");
    await child.status;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Whether the shared Redis answers (tests needing it are skipped, with this warning, if not). */
export const SHARED_REDIS = await redisReachable();
/** Whether tests may start their own redis-server. */
export const REDIS_SERVER = await redisServerInstalled();
if (!SHARED_REDIS) console.warn("Skipping shared-Redis tests: nothing answers at 127.0.0.1:6379");
if (!REDIS_SERVER) console.warn("Skipping private-Redis tests: no redis-server binary");

/** Waits (polling every 10 ms) until `condition` holds, failing after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A quiet {@link FleetRedis} on `url` once it is connected. */
export async function connectedClient(
  url: string,
  options: Omit<FleetRedisOptions, "url"> = {},
): Promise<FleetRedis> {
  const client = new FleetRedis({ logger: QUIET_LOGGER, ...options, url });
  await until(() => client.isUp);
  return client;
}

/**
 * Runs `fn` with a private redis-server and a connected client on it, then closes both (the
 * server may be stopped and restarted by `fn`).
 */
export async function withPrivateRedis(
  fn: (server: PrivateRedis, redis: FleetRedis) => Promise<void>,
  options: Omit<FleetRedisOptions, "url"> = {},
): Promise<void> {
  const server = new PrivateRedis();
  await server.start();
  let redis: FleetRedis | undefined;
  try {
    redis = await connectedClient(server.url, options);
    await fn(server, redis);
  } finally {
    await redis?.close();
    await server.stop();
  }
}
