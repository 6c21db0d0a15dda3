/**
 * The service under drill: `server/main.ts` as a real child process (the start task's V8 flags),
 * on a fixed loopback port and KV file so that it can be stopped and started again on the same
 * state. Samples of its own `/health` give RSS, heap, breaker states and hub counters.
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

/** The part of `/health` the drill reads. */
export interface HealthSample {
  rss_bytes: number;
  heap_used_bytes: number;
  /** Breaker state per odds source. */
  breakers: Record<string, string>;
  /** Failed source requests per odds source. */
  source_failures: Record<string, number>;
  /** Rows rejected per odds source (a garbage page gives none accepted). */
  rows_accepted: Record<string, number>;
  /**
   * Fleet mode: the sources this instance holds the lease of (it alone scrapes them; the others
   * show what it publishes). Null in embedded mode, where the one process scrapes every source.
   */
  leads: string[] | null;
  connections: number;
  slow_consumers_dropped: number;
  events_broadcast: number;
}

/** Reads the fields the drill needs from a `/health` body. */
export function readHealth(body: unknown): HealthSample {
  // deno-lint-ignore no-explicit-any
  const c = (body as any)?.components ?? {};
  const sources: Record<string, Record<string, unknown>> = c.live_odds?.sources ?? {};
  const leaders: Record<string, { is_leader?: boolean }> | undefined = c.live_odds?.leaders;
  const pick = (field: string) =>
    Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, v[field]]));
  return {
    rss_bytes: Number(c.resources?.memory?.rss_bytes ?? 0),
    heap_used_bytes: Number(c.resources?.memory?.heap_used_bytes ?? 0),
    breakers: pick("breaker") as Record<string, string>,
    source_failures: pick("failures") as Record<string, number>,
    rows_accepted: pick("rows_accepted") as Record<string, number>,
    leads: leaders
      ? Object.entries(leaders).filter(([, l]) => l?.is_leader === true).map(([k]) => k)
      : null,
    connections: Number(c.websocket?.connections ?? 0),
    slow_consumers_dropped: Number(c.websocket?.slow_consumers_dropped ?? 0),
    events_broadcast: Number(c.websocket?.events_broadcast ?? 0),
  };
}

/** Options of {@link DrillService}. */
export interface DrillServiceOptions {
  port: number;
  /** Environment of the process (on top of PORT, HOSTNAME). */
  env: Record<string, string>;
  /** Longest wait for `/health/ready`. @default 90000 */
  readyTimeoutMs?: number;
}

/** A service process that can be stopped and started again. */
export class DrillService {
  readonly url: string;
  readonly port: number;
  readonly #options: DrillServiceOptions;
  #child: Deno.ChildProcess | undefined;
  #stderr: Promise<string> = Promise.resolve("");
  /** Process starts so far. */
  starts = 0;

  constructor(options: DrillServiceOptions) {
    this.#options = options;
    this.port = options.port;
    this.url = `http://127.0.0.1:${options.port}`;
  }

  /** Starts the process and resolves once `/health/ready` answers 200; returns the boot time. */
  async start(): Promise<number> {
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-kv",
        "--v8-flags=--max-semi-space-size=8,--heap-growing-percent=50,--expose-gc,--no-memory-pool",
        "server/main.ts",
      ],
      cwd: ROOT,
      env: { ...this.#options.env, PORT: String(this.#options.port), HOSTNAME: "127.0.0.1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#stderr = tail(child.stderr);
    this.starts++;
    const deadline = started + (this.#options.readyTimeoutMs ?? 90_000);
    let exited = false;
    child.status.then(() => exited = true);
    while (!exited && performance.now() < deadline) {
      try {
        const res = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(5_000) });
        await res.body?.cancel();
        if (res.status === 200) return performance.now() - started;
      } catch { /* not listening yet */ }
      // A child process's boot: nothing to wait on but its port.
      await new Promise((r) => setTimeout(r, 200));
    }
    const why = exited ? `exited with ${(await child.status).code}` : "was not ready in time";
    throw new Error(`The service ${why}; its stderr ends:\n${await this.#stderr}`);
  }

  /** Sends `signal` and resolves with the time the process took to exit, and its exit code. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<{ ms: number; code: number }> {
    const child = this.#child;
    if (!child) return { ms: 0, code: 0 };
    const t = performance.now();
    try {
      child.kill(signal);
    } catch { /* already gone */ }
    const status = await child.status;
    await this.#stderr;
    this.#child = undefined;
    return { ms: performance.now() - t, code: status.code };
  }

  /** The service's own view of itself, or null when it does not answer. */
  async health(): Promise<HealthSample | null> {
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(5_000) });
      return readHealth(await res.json());
    } catch {
      return null;
    }
  }

  /** The last lines the process wrote to stderr. */
  stderrTail(): Promise<string> {
    return this.#stderr;
  }
}

async function tail(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text = (text + decoder.decode(chunk, { stream: true })).slice(-4000);
  }
  return text;
}
