/**
 * `deno task bench ws`: WebSocket fan-out on loopback. For each client count (default 1,000,
 * 5,000 and 10,000) it starts a fresh server process (`bench/ws_server.ts`: the real `/ws` route
 * and hub) and client processes (`bench/ws_clients.ts`, two or more, at most 5,000 sockets each), broadcasts
 * odds events to every subscriber and reports delivery latency (publish to receipt, from the
 * timestamp in each message) and server RSS per connection. Then 1,000 clients take 200 odds
 * changes a second for 30 s and every delivery is counted. Prints the figures; `--write` also
 * replaces the "WebSocket" section of docs/BENCHMARKS.md with them.
 *
 * Options: `--sizes=1000,5000,10000 --broadcasts=20 --interval-ms=500 --sustain-clients=1000
 * --rate=200 --duration-s=30 --sustain-messages=summary,full,mixed --floor=<sizes>|none --batch-ms=25
 * --server=guarded,deno --no-sustain --write`. `--server`: the listeners the hub is measured on at
 * every size (both by default; the sustained runs use the first). `--floor` (default:
 * the largest size) also runs those sizes against a bare `Deno.upgradeWebSocket` server.
 * @module
 */
import { command, JsonLines } from "./ws_lines.ts";
import { type BenchOptions, wsBenchOptions, type WsServerMode } from "./ws_options.ts";

interface Report {
  received: number;
  gaps: number;
  duplicates: number;
  open: number;
  per_socket_min: number;
  per_socket_max: number;
  hist: [number, number][];
  last_by_event: [number, number][];
  closes: [number, number][];
  /** [topic, sockets, events received]. */
  by_topic: [string, number, number][];
}

/** Result of one fan-out size. */
export interface FanoutResult {
  clients: number;
  /**
   * `hub` (the real route and hub on `Deno.serve`), `guarded` (the hub behind the guarded
   * upgrade on node:http) or `bare` (runtime floor, no hub).
   */
  server: "hub" | "guarded" | "bare";
  broadcasts: number;
  deliveries: number;
  expected: number;
  p50: number;
  p99: number;
  lastP50: number;
  lastP99: number;
  rssBefore: number;
  rssAfter: number;
  rssPerConnection: number;
  /** The part of {@link rssPerConnection} that is live JS heap (V8 `heapUsed`). */
  heapPerConnection: number;
  sendMsMedian: number;
  /** CPU time (user + system) of the send loop, median over the broadcasts. */
  sendCpuMsMedian: number;
  messageBytes: number;
}

/** Result of the sustained run. */
export interface SustainResult {
  clients: number;
  /** `all`: every client on `matches`; `mixed`: 10 % matches, 60 % a league, 30 % a match. */
  topics: "all" | "mixed";
  messageBytes: number;
  rate: number;
  durationS: number;
  published: number;
  expected: number;
  received: number;
  lost: number;
  gaps: number;
  duplicates: number;
  slowDropped: number;
  p50: number;
  p99: number;
  maxLagMs: number;
}

const PER_WORKER = 5_000;

/**
 * The server runs with the V8 flags of `deno task start` (what production runs) plus
 * `--server-v8-flags=a,b` and the environment given by `--server-env=NAME=value` (repeatable).
 */
export const SERVER_V8_FLAGS: string[] = await startTaskV8Flags();
const SERVER_ENV: Record<string, string> = {};
/** `--client=raw` (default: lean RFC 6455 clients on TCP) or `websocket` (the runtime's class). */
const CLIENT = Deno.args.find((a) => a.startsWith("--client="))?.slice(9) ?? "raw";
for (const a of Deno.args) {
  if (a.startsWith("--server-v8-flags=")) SERVER_V8_FLAGS.push(...a.slice(18).split(","));
  if (a.startsWith("--server-env=")) {
    const kv = a.slice(13);
    const eq = kv.indexOf("=");
    if (eq < 1) throw new Error(`Expected --server-env=NAME=value, got "${a}"`);
    SERVER_ENV[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
}

async function startTaskV8Flags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const start = String(config.tasks?.start ?? "");
  const flags = start.split(/\s+/).find((p) => p.startsWith("--v8-flags="));
  return flags ? flags.slice(11).split(",") : [];
}
const HERE = new URL(".", import.meta.url);

/** A benchmark child process speaking JSON lines. */
export interface Proc {
  child: Deno.ChildProcess;
  lines: JsonLines;
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

/** Starts a benchmark script of this folder as a child process. */
export function spawn(
  script: string,
  args: string[],
  v8Flags: string[] = [],
  env: Record<string, string> = {},
): Proc {
  const child = new Deno.Command(Deno.execPath(), {
    env,
    args: [
      "run",
      "-A",
      "--unstable-kv",
      ...(v8Flags.length ? [`--v8-flags=${v8Flags.join(",")}`] : []),
      new URL(script, HERE).pathname,
      ...args,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  return { child, lines: new JsonLines(child.stdout), writer: child.stdin.getWriter() };
}

/** Asks a child to exit (killed after 10 s). */
export async function stop(proc: Proc): Promise<void> {
  try {
    await command(proc.writer, { type: "cmd", cmd: "exit" });
    await proc.writer.close();
  } catch {
    // Already gone.
  }
  const timer = setTimeout(() => {
    try {
      proc.child.kill("SIGKILL");
    } catch {
      // Exited meanwhile.
    }
  }, 10_000);
  await proc.child.status;
  clearTimeout(timer);
  await proc.lines.done.catch(() => {});
}

/** The `q` quantile of a latency histogram (ms -> count). */
export function percentile(hist: Map<number, number>, q: number): number {
  const total = [...hist.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const ms of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(ms)!;
    if (seen >= rank) return ms;
  }
  return NaN;
}

/** The `q` quantile of values. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function reports(workers: Proc[]): Promise<Report[]> {
  await Promise.all(workers.map((w) => command(w.writer, { type: "cmd", cmd: "report" })));
  return Promise.all(workers.map((w) => w.lines.next<Report>("report")));
}

/** Clears the client workers' counters. */
export async function reset(workers: Proc[]): Promise<void> {
  await Promise.all(workers.map((w) => command(w.writer, { type: "cmd", cmd: "reset" })));
  await Promise.all(workers.map((w) => w.lines.next("reset_done")));
}

/** Polls the workers until `expected` deliveries arrived or `timeoutMs` passed. */
export async function collect(
  workers: Proc[],
  expected: number,
  timeoutMs: number,
): Promise<Report[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await reports(workers);
    const got = r.reduce((a, x) => a + x.received, 0);
    if (got >= expected || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** The client workers' reports added up. */
export function merge(rs: Report[]) {
  const hist = new Map<number, number>();
  const last = new Map<number, number>();
  for (const r of rs) {
    for (const [ms, n] of r.hist) hist.set(ms, (hist.get(ms) ?? 0) + n);
    for (const [id, ms] of r.last_by_event) last.set(id, Math.max(last.get(id) ?? 0, ms));
  }
  const byTopic = new Map<string, number>();
  for (const r of rs) for (const [t, n] of r.by_topic) byTopic.set(t, (byTopic.get(t) ?? 0) + n);
  return {
    hist,
    last,
    byTopic,
    received: rs.reduce((a, r) => a + r.received, 0),
    gaps: rs.reduce((a, r) => a + r.gaps, 0),
    duplicates: rs.reduce((a, r) => a + r.duplicates, 0),
  };
}

async function startFleet(
  clients: number,
  bare = false,
  full = false,
  mix = false,
  mode: WsServerMode = "deno",
) {
  const kvPath = await Deno.makeTempFile({ suffix: ".kv" });
  const args = [`--kv=${kvPath}`, ...(bare ? ["--bare"] : []), ...(full ? ["--full"] : [])];
  if (mode === "guarded" && !bare) args.push("--guarded");
  const batch = Deno.args.find((a) => a.startsWith("--batch-ms="));
  if (batch) args.push(batch);
  const server = spawn("ws_server.ts", args, [...SERVER_V8_FLAGS, "--expose-gc"], SERVER_ENV);
  const ready = await server.lines.next<{ port: number }>("ready");
  const sample = await server.lines.next<{ message_bytes: number }>("sample");
  await command(server.writer, { type: "cmd", cmd: "rss" });
  const before = await server.lines.next<{ rss: number; heap: number }>("rss");
  const workers: Proc[] = [];
  // At least two client processes, so clients can use both cores; at most 5,000 sockets each.
  const processes = Math.max(2, Math.ceil(clients / PER_WORKER));
  for (let w = 0, left = clients; w < processes; w++) {
    const count = Math.ceil(left / (processes - w));
    left -= count;
    const args = [
      `--port=${ready.port}`,
      `--count=${count}`,
      `--client=${CLIENT}`,
      ...(mix ? ["--mix"] : []),
    ];
    workers.push(spawn("ws_clients.ts", args));
  }
  const readies = await Promise.all(
    workers.map((w) => w.lines.next<{ connected: number; failed: number }>("ready", 300_000)),
  );
  const connected = readies.reduce((a, r) => a + r.connected, 0);
  if (connected !== clients) {
    throw new Error(`Only ${connected} of ${clients} clients connected`);
  }
  return {
    server,
    workers,
    rssBefore: before.rss,
    heapBefore: before.heap,
    messageBytes: sample.message_bytes,
    async close() {
      await Promise.all(workers.map(stop));
      await stop(server);
      for (const suffix of ["", "-shm", "-wal"]) await Deno.remove(kvPath + suffix).catch(() => {});
    },
  };
}

async function fanout(
  clients: number,
  o: BenchOptions,
  bare = false,
  mode: WsServerMode = "deno",
): Promise<FanoutResult> {
  const fleet = await startFleet(clients, bare, false, false, mode);
  try {
    const { server, workers } = fleet;
    // Warm-up broadcast, so buffers that every connection needs are allocated before RSS.
    await command(server.writer, { type: "cmd", cmd: "broadcast", count: 2, intervalMs: 200 });
    await server.lines.next("broadcast_done");
    await collect(workers, clients * 2, 10_000);
    await reset(workers);
    await command(server.writer, { type: "cmd", cmd: "rss" });
    const after = await server.lines.next<{ rss: number; heap: number }>("rss");

    await command(server.writer, {
      type: "cmd",
      cmd: "broadcast",
      count: o.broadcasts,
      intervalMs: o.intervalMs,
    });
    const done = await server.lines.next<{ send_ms: number[]; cpu_ms: number[] }>(
      "broadcast_done",
      600_000,
    );
    const expected = clients * o.broadcasts;
    const m = merge(await collect(workers, expected, 15_000));
    return {
      clients,
      server: bare ? "bare" : mode === "guarded" ? "guarded" : "hub",
      broadcasts: o.broadcasts,
      deliveries: m.received,
      expected,
      p50: percentile(m.hist, 0.5),
      p99: percentile(m.hist, 0.99),
      lastP50: quantile([...m.last.values()], 0.5),
      lastP99: quantile([...m.last.values()], 0.99),
      rssBefore: fleet.rssBefore,
      rssAfter: after.rss,
      rssPerConnection: (after.rss - fleet.rssBefore) / clients,
      heapPerConnection: (after.heap - fleet.heapBefore) / clients,
      sendMsMedian: quantile(done.send_ms, 0.5),
      sendCpuMsMedian: quantile(done.cpu_ms, 0.5),
      messageBytes: fleet.messageBytes,
    };
  } finally {
    await fleet.close();
  }
}

async function sustain(o: BenchOptions, variant: string): Promise<SustainResult> {
  const clients = o.sustainClients;
  const mixed = variant === "mixed";
  const fleet = await startFleet(clients, false, variant === "full", mixed, o.servers[0]);
  try {
    const { server, workers } = fleet;
    await command(server.writer, {
      type: "cmd",
      cmd: "sustain",
      rate: o.rate,
      durationMs: o.durationS * 1000,
    });
    const done = await server.lines.next<{
      published: number;
      elapsed_ms: number;
      messages_sent: number;
      batches_sent: number;
      per_topic: Record<string, number>;
      slow_consumers_dropped: number;
      max_lag_ms: number;
    }>("sustain_done", o.durationS * 1000 + 600_000);
    // Each socket expects every event published on its topic.
    const sockets = merge(await reports(workers)).byTopic;
    let expected = 0;
    for (const [topic, n] of sockets) expected += n * (done.per_topic[topic] ?? 0);
    console.log(
      `  published ${done.published} in ${done.elapsed_ms.toFixed(0)} ms (max lag ${
        done.max_lag_ms.toFixed(0)
      } ms); frames sent ${done.messages_sent}, of them batches ${done.batches_sent}`,
    );
    const m = merge(await collect(workers, expected, 30_000));
    return {
      clients,
      topics: mixed ? "mixed" : "all",
      messageBytes: fleet.messageBytes,
      rate: o.rate,
      durationS: o.durationS,
      published: done.published,
      expected,
      received: m.received,
      lost: expected - m.received,
      gaps: m.gaps,
      duplicates: m.duplicates,
      slowDropped: done.slow_consumers_dropped,
      p50: percentile(m.hist, 0.5),
      p99: percentile(m.hist, 0.99),
      maxLagMs: done.max_lag_ms,
    };
  } finally {
    await fleet.close();
  }
}

const fmt = (n: number) => n.toLocaleString("en-US");
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

function fanoutTable(results: FanoutResult[]): string {
  const rows = results.map((r) =>
    `| ${fmt(r.clients)} | ${
      r.server === "hub"
        ? "hub, Deno.serve"
        : r.server === "guarded"
        ? "hub, guarded upgrade"
        : "bare Deno (floor)"
    } | ${r.p50} / ${r.p99} ms | ${r.lastP50} / ${r.lastP99} ms | ` +
    `${fmt(r.deliveries)} / ${fmt(r.expected)} | ${r.sendMsMedian.toFixed(1)} ms (CPU ${
      r.sendCpuMsMedian.toFixed(1)
    } ms) | ` +
    `${mb(r.rssBefore)} -> ${mb(r.rssAfter)} MB | ${kb(r.rssPerConnection)} KB | ` +
    `${kb(r.heapPerConnection)} KB |`
  );
  return [
    "| subscribed clients | server | delivery p50 / p99 | last receipt p50 / p99 | delivered / expected | publish (send loop) median: wall (CPU) | server RSS | RSS per connection | of which JS heap |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

function sustainTable(results: SustainResult[]): string {
  return [
    "| clients | subscriptions | message | odds changes | published | deliveries expected | received | lost | gaps / duplicates | slow consumers dropped | delivery p50 / p99 |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...results.map((s) =>
      `| ${fmt(s.clients)} | ${s.topics === "all" ? "all on matches" : "mixed"} | ${
        fmt(s.messageBytes)
      } B | ${s.rate}/s for ${s.durationS} s | ` +
      `${fmt(s.published)} | ${fmt(s.expected)} | ${fmt(s.received)} | ${fmt(s.lost)} | ` +
      `${s.gaps} / ${s.duplicates} | ${s.slowDropped} | ${s.p50} / ${s.p99} ms |`
    ),
  ].join("\n");
}

function machine(): string {
  const cpus = navigator.hardwareConcurrency;
  const load = Deno.loadavg().map((l) => l.toFixed(1)).join(" ");
  return `${cpus} cores, Deno ${Deno.version.deno}, ${
    new Date().toISOString().slice(0, 10)
  }, load average at the end ${load}`;
}

function verdict(results: FanoutResult[], sustained: SustainResult[]): string[] {
  const lines: string[] = [];
  const hub = results.filter((r) => r.server === "hub").at(-1);
  const bare = results.find((r) => r.server === "bare" && r.clients === hub?.clients);
  if (hub) {
    const met = (ok: boolean) => (ok ? "met" : "**not met**");
    lines.push(
      "",
      `Measured at ${fmt(hub.clients)} clients: delivery p99 ${hub.p99} ms (${
        met(hub.p99 <= 250)
      }), ${kb(hub.rssPerConnection)} KB RSS per connection (${
        met(hub.rssPerConnection <= 20480)
      })${
        bare
          ? `; the bare runtime on the same run: p99 ${bare.p99} ms, ${
            kb(bare.rssPerConnection)
          } KB per connection`
          : ""
      }.`,
    );
  }
  for (const s of sustained) {
    lines.push(
      `Sustained, ${s.topics === "all" ? "all on matches" : "mixed"}, ${fmt(s.messageBytes)} B: ${
        s.lost === 0 ? "no event lost" : `**${fmt(s.lost)} deliveries lost**`
      } (${fmt(s.received)} of ${fmt(s.expected)}).`,
    );
  }
  return lines;
}

/** Replaces (or appends) the `## WebSocket` section of docs/BENCHMARKS.md. */
async function writeSection(body: string): Promise<string> {
  const path = new URL("../docs/BENCHMARKS.md", HERE).pathname;
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch {
    text = "# Benchmarks\n";
  }
  const section = `## WebSocket\n\n${body.trim()}\n`;
  const start = text.search(/^## WebSocket\s*$/m);
  if (start < 0) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    const rest = text.slice(start + 1);
    const next = rest.search(/^## /m);
    const end = next < 0 ? text.length : start + 1 + next;
    text = `${text.slice(0, start)}${section}${next < 0 ? "" : "\n"}${text.slice(end)}`;
  }
  await Deno.mkdir(new URL("../docs/", HERE), { recursive: true });
  await Deno.writeTextFile(path, text.endsWith("\n") ? text : text + "\n");
  return path;
}

/** Runs the WebSocket benchmark (see the module doc for options). */
export async function benchWs(args: string[]): Promise<void> {
  const o = wsBenchOptions(args);
  const results: FanoutResult[] = [];
  for (const size of o.sizes) {
    for (const mode of o.servers) {
      console.log(`fan-out: ${fmt(size)} clients, ${mode} server...`);
      const r = await fanout(size, o, false, mode);
      results.push(r);
      console.log(fanoutTable([r]).split("\n").at(-1));
    }
  }
  for (const size of o.floor) {
    console.log(`fan-out, bare Deno floor: ${fmt(size)} clients...`);
    const r = await fanout(size, o, true);
    results.push(r);
    console.log(fanoutTable([r]).split("\n").at(-1));
  }
  const sustained: SustainResult[] = [];
  for (const variant of o.sustain) {
    console.log(
      `sustained (${variant} messages): ${
        fmt(o.sustainClients)
      } clients, ${o.rate}/s for ${o.durationS} s...`,
    );
    const r = await sustain(o, variant);
    sustained.push(r);
    console.log(sustainTable([r]).split("\n").at(-1));
  }
  const messageBytes = results[0]?.messageBytes ?? 0;
  const body = [
    `Command: \`deno task bench ws${args.length ? " " + args.join(" ") : ""}\` (${machine()}).`,
    "One server process (the real `/ws` route, hub and KV event log, started with the V8 flags",
    "of `deno task start`) and at least two client processes (at most 5,000 sockets each), all",
    "on loopback and on the same 2 cores. Clients are " +
    (CLIENT === "raw"
      ? "lean RFC 6455 clients on plain TCP (one read loop per socket, frames parsed from its " +
        "own buffer, pings answered), so the load generator costs little next to the server, " +
        "as wrk does for HTTP;"
      : "the runtime's `WebSocket` class (an event dispatch and a string per frame);") +
    " each odds event carries the prediction summary the",
    `pipeline publishes (${fmt(messageBytes)} bytes of JSON) and is serialised once per broadcast.`,
    "Delivery = receipt time minus the publish time carried in the message, over every",
    "(client, event) delivery; last receipt = per broadcast, the slowest client. RSS per",
    "connection = (server RSS with clients connected and subscribed - RSS before) / clients,",
    "after V8's last-resort collection and a `malloc_trim`, as the server's trimmer runs them",
    "once a burst (such as the clients connecting) has settled (`MEMORY_TRIM_INTERVAL_SECONDS`);",
    '"of which JS heap" is the V8 heap\'s share.',
    `${o.broadcasts} broadcasts, ${o.intervalMs} ms apart.`,
    "`bare Deno (floor)` rows: the same clients and messages against a server that only calls",
    "`Deno.upgradeWebSocket` and loops over its sockets (no Hono, hub or limits): what the",
    "runtime itself costs.",
    "",
    fanoutTable(results),
    "",
    "Targets: 10,000 clients p99 <= 250 ms, <= 20 KB RSS per connection.",
    ...verdict(results, sustained),
    ...(sustained.length
      ? [
        "",
        "Sustained load: 200 odds changes a second over 50 matches in 8 leagues. `all on matches`:",
        "every client is subscribed to `matches`, so each change goes to all of them (event ids",
        "must arrive consecutive); `mixed`: 10 % of clients on `matches`, 60 % on one league, 30 %",
        "on one match. Each socket's count is checked against what was published on its topic.",
        `${fmt(messageBytes)}-byte messages carry the prediction summary the pipeline publishes`,
        "(probabilities, expected goals, 1X2 fair odds, model) and the value bets; `full` rows carry",
        "the whole prediction (score matrix, exact-score / totals / handicap tables), as events did",
        "before. The hub runs with the production `batchMs` (25 ms): an event to a quiet",
        "connection goes at once, the ones that follow within 25 ms (or find the socket busy)",
        "go together in one `batch` frame, so a connection gets at most ~40 frames a second",
        "however fast odds move; readers whose buffer passes 1 MB are cut (1013).",
        "",
        sustainTable(sustained),
      ]
      : []),
  ].join("\n");
  console.log("\n" + body);
  if (o.write) console.log(`\nWritten to ${await writeSection(body)}`);
}

if (import.meta.main) await benchWs(Deno.args);
