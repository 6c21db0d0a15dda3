/**
 * A fleet of real service processes for multi-instance tests: N `deno run server/main.ts` on free
 * loopback ports, sharing one Redis under a key prefix of their own, each with an in-memory KV
 * (fleet mode needs no disk) and the memory engine by default (it boots in about a second; pass
 * `PREDICTION_ENGINE: "onnx"` for the trained models). Every instance can be signalled
 * (SIGKILL, SIGSTOP/SIGCONT), stopped and restarted on its port; its stdout and stderr are
 * collected. `close()` ends every process, awaits every stream and deletes the fleet's keys.
 * @module
 */
import { Redis } from "ioredis";
import { deleteKeys, SHARED_REDIS_URL, testPrefix } from "../fleet/test_redis.ts";

const MAIN = new URL("../main.ts", import.meta.url);
const ROOT = new URL("../../", import.meta.url);

/** Options of {@link FleetCluster.start}. */
export interface FleetClusterOptions {
  /** Number of instances. @default 3 */
  instances?: number;
  /** `REDIS_URL` of every instance; `null` starts embedded instances. @default the shared Redis */
  redisUrl?: string | null;
  /** `REDIS_KEY_PREFIX`, deleted by `close()`. @default a unique `test:fleet:...:` prefix */
  keyPrefix?: string;
  /** Environment of every instance, over the harness defaults. @default {} */
  env?: Record<string, string>;
  /** Environment of instance `index` only, over `env`. @default none */
  instanceEnv?: (index: number) => Record<string, string>;
  /** Longest wait for an instance's `/health/ready` to answer 200. @default 90000 */
  readyTimeoutMs?: number;
  /** Longest wait after SIGTERM before SIGKILL in `stop()` and `close()`. @default 20000 */
  stopTimeoutMs?: number;
}

/** Lines kept per instance (stdout and stderr together); older ones are dropped. */
const MAX_LINES = 20_000;

/** One service process of a {@link FleetCluster}. */
export class FleetInstance {
  /** Position in the cluster, from 0. */
  readonly index: number;
  /** `INSTANCE_ID` of the process. */
  readonly id: string;
  #port: number;
  readonly #env: Record<string, string>;
  /** Whether a process of this instance has been ready once (its port is then kept). */
  #started = false;
  readonly #readyTimeoutMs: number;
  readonly #stopTimeoutMs: number;
  #child: Deno.ChildProcess | null = null;
  #status: Promise<Deno.CommandStatus> | null = null;
  #exit: Deno.CommandStatus | null = null;
  #streams: Promise<void>[] = [];
  #lines: string[] = [];

  constructor(
    index: number,
    port: number,
    options: { env: Record<string, string>; readyTimeoutMs: number; stopTimeoutMs: number },
  ) {
    this.index = index;
    this.#port = port;
    this.#env = { ...options.env, PORT: String(port) };
    this.id = options.env.INSTANCE_ID;
    this.#readyTimeoutMs = options.readyTimeoutMs;
    this.#stopTimeoutMs = options.stopTimeoutMs;
  }

  get port(): number {
    return this.#port;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.#child && !this.#exit ? this.#child.pid : undefined;
  }

  /** Whether the process has exited (killed, stopped or crashed). */
  get exited(): boolean {
    return this.#child === null || this.#exit !== null;
  }

  /** How the last process exited, null while it runs. */
  get exitStatus(): Deno.CommandStatus | null {
    return this.#exit;
  }

  /** Every collected line of stdout and stderr, oldest first. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** The JSON log lines collected so far (other lines skipped). */
  logs(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.#lines) {
      if (!line.startsWith("{")) continue;
      try {
        out.push(JSON.parse(line));
      } catch { /* not a log line */ }
    }
    return out;
  }

  /**
   * Resolves with the first JSON log line `match` accepts, waiting for it: the service batches
   * stdout lines (up to 50 ms), so a line may arrive after the request that caused it answered.
   */
  async waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs = 5000,
  ): Promise<Record<string, unknown>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.logs().find(match);
      if (found) return found;
      if (performance.now() > deadline || this.#exit) {
        throw new Error(
          `Instance "${this.id}" logged no such line within ${timeoutMs} ms; its output ends:\n` +
            this.#lines.slice(-10).join("\n"),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Spawns the process and resolves once `/health/ready` answers 200. A first start moves to
   * another free port if another process took this one since it was picked; a restart keeps it.
   */
  async start(): Promise<void> {
    for (let attempt = 1;; attempt++) {
      try {
        await this.#startOnce();
        this.#started = true;
        return;
      } catch (error) {
        const taken = this.#lines.some((l) =>
          /AddrInUse|EADDRINUSE|address already in use/i.test(l)
        );
        if (this.#started || !taken || attempt === 3) throw error;
        this.#port = freePorts(1)[0];
        this.#env.PORT = String(this.#port);
        this.#lines = [];
      }
    }
  }

  async #startOnce(): Promise<void> {
    if (this.#child && !this.#exit) throw new Error(`Instance "${this.id}" is already running`);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-kv", MAIN.pathname],
      cwd: ROOT,
      env: this.#env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#exit = null;
    this.#status = child.status.then((s) => (this.#exit = s));
    this.#streams = [this.#collect(child.stdout), this.#collect(child.stderr)];
    try {
      await this.#waitReady();
    } catch (error) {
      await this.#end();
      throw new Error(
        `Instance "${this.id}" did not start: ${(error as Error).message}; its output ends:\n` +
          this.#lines.slice(-30).join("\n"),
      );
    }
  }

  /** Sends `signal` (SIGKILL, SIGTERM, SIGSTOP, SIGCONT...) to the running process. */
  kill(signal: Deno.Signal = "SIGKILL"): void {
    if (!this.#child || this.#exit) throw new Error(`Instance "${this.id}" is not running`);
    this.#child.kill(signal);
  }

  /** Freezes the process (SIGSTOP): it holds its sockets and leases but answers nothing. */
  pause(): void {
    this.kill("SIGSTOP");
  }

  /** Lets a paused process run again (SIGCONT). */
  resume(): void {
    this.kill("SIGCONT");
  }

  /** Resolves with the exit status once the process has exited. */
  async exitedWith(): Promise<Deno.CommandStatus> {
    if (!this.#status) throw new Error(`Instance "${this.id}" was never started`);
    const status = await this.#status;
    await Promise.all(this.#streams);
    return status;
  }

  /** Graceful stop (SIGTERM, as Render sends), SIGKILL after the stop timeout; awaits the exit. */
  async stop(): Promise<Deno.CommandStatus | null> {
    if (!this.#child) return null;
    if (!this.#exit) {
      this.#signal("SIGCONT");
      this.#signal("SIGTERM");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.#signal("SIGKILL");
          resolve();
        }, this.#stopTimeoutMs);
      });
      await Promise.race([this.#status, killed]);
      clearTimeout(timer);
    }
    return await this.#end();
  }

  /** Stops the process if it runs (gracefully) and starts a new one on the same port and id. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** GETs `path` and parses the JSON answer. */
  async json<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.json() as T };
  }

  /** The process's established TCP connections to `port` on loopback (Linux `/proc`). */
  async tcpConnectionsTo(port: number): Promise<number> {
    const pid = this.pid;
    if (pid === undefined) return 0;
    const inodes = new Set<string>();
    for await (const entry of Deno.readDir(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(await Deno.readLink(`/proc/${pid}/fd/${entry.name}`));
        if (m) inodes.add(m[1]);
      } catch { /* closed meanwhile */ }
    }
    let count = 0;
    for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      const rows = (await Deno.readTextFile(table).catch(() => "")).split("\n").slice(1);
      for (const row of rows) {
        const f = row.trim().split(/\s+/);
        // rem_address is HEXIP:HEXPORT, st 01 = ESTABLISHED, field 9 is the inode.
        if (f.length < 10 || f[3] !== "01") continue;
        if (parseInt(f[2].split(":")[1], 16) === port && inodes.has(f[9])) count++;
      }
    }
    return count;
  }

  #signal(signal: Deno.Signal): void {
    try {
      this.#child?.kill(signal);
    } catch { /* already exited */ }
  }

  /** Kills what is left of the process and awaits its exit and streams. */
  async #end(): Promise<Deno.CommandStatus | null> {
    if (!this.#child) return null;
    if (!this.#exit) {
      this.#signal("SIGCONT");
      this.#signal("SIGKILL");
    }
    const status = await this.#status!;
    await Promise.all(this.#streams);
    return status;
  }

  async #collect(stream: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<void> {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      this.#push(parts);
    }
    if (rest) this.#push([rest]);
  }

  #push(lines: string[]): void {
    this.#lines.push(...lines);
    if (this.#lines.length > MAX_LINES) this.#lines.splice(0, this.#lines.length - MAX_LINES);
  }

  async #waitReady(): Promise<void> {
    const deadline = performance.now() + this.#readyTimeoutMs;
    while (performance.now() < deadline) {
      if (this.#exit) throw new Error(`it exited with code ${this.#exit.code}`);
      try {
        const res = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
        await res.body?.cancel();
        if (res.status === 200) return;
      } catch { /* not listening yet */ }
      // Waits on a real child process's boot, which no fake clock can shorten.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`/health/ready did not answer 200 within ${this.#readyTimeoutMs} ms`);
  }
}

/** N service processes sharing one Redis under one key prefix. */
export class FleetCluster {
  readonly instances: readonly FleetInstance[];
  /** `REDIS_URL` of the instances, null for embedded ones. */
  readonly redisUrl: string | null;
  readonly keyPrefix: string;

  private constructor(
    instances: FleetInstance[],
    redisUrl: string | null,
    keyPrefix: string,
  ) {
    this.instances = instances;
    this.redisUrl = redisUrl;
    this.keyPrefix = keyPrefix;
  }

  /** Starts every instance (in parallel) and resolves when all are ready. */
  static async start(options: FleetClusterOptions = {}): Promise<FleetCluster> {
    const n = options.instances ?? 3;
    const redisUrl = options.redisUrl === undefined ? SHARED_REDIS_URL : options.redisUrl;
    const keyPrefix = options.keyPrefix ?? testPrefix("fleet");
    const ports = freePorts(n);
    const instances = ports.map((port, i) => {
      const env: Record<string, string> = {
        PORT: String(port),
        HOSTNAME: "127.0.0.1",
        KV_PATH: ":memory:",
        PREDICTION_ENGINE: "memory",
        DEMO_BOOKMAKER: "false",
        MEMORY_TRIM_INTERVAL_SECONDS: "0",
        SHUTDOWN_DRAIN_MS: "0",
        SHUTDOWN_TIMEOUT_MS: "2000",
        LOG_LEVEL: "info",
        INSTANCE_ID: `instance-${i}`,
        REDIS_KEY_PREFIX: keyPrefix,
        // Empty counts as unset, so a REDIS_URL of the test's own environment cannot leak in.
        REDIS_URL: redisUrl ?? "",
        ...options.env,
        ...options.instanceEnv?.(i),
      };
      return new FleetInstance(i, port, {
        env,
        readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
        stopTimeoutMs: options.stopTimeoutMs ?? 20_000,
      });
    });
    const cluster = new FleetCluster(instances, redisUrl, keyPrefix);
    const started = await Promise.allSettled(instances.map((i) => i.start()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      await cluster.close();
      throw failed.reason;
    }
    return cluster;
  }

  /** Instance `index`. */
  at(index: number): FleetInstance {
    const instance = this.instances[index];
    if (!instance) throw new Error(`No instance ${index} in a fleet of ${this.instances.length}`);
    return instance;
  }

  /** Stops every instance, awaits their exits and output, and deletes the fleet's Redis keys. */
  async close(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.stop()));
    if (this.redisUrl && this.keyPrefix.startsWith("test:")) {
      const redis = new Redis(this.redisUrl, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on("error", () => {});
      try {
        await redis.connect();
        await deleteKeys(redis, this.keyPrefix);
      } catch {
        // The Redis of the test is gone (a private one already stopped): nothing to delete.
      } finally {
        redis.disconnect(false);
      }
    }
  }

  /** For `await using cluster = await FleetCluster.start(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** `n` distinct ports nothing listens on right now. */
function freePorts(n: number): number[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}
