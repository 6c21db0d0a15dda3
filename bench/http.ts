/**
 * `deno task bench http`: starts the real server (subprocess, `-A`, rate limiting on with a
 * limit too high to reject, temp KV) on loopback and drives it with wrk: `/health/live`, cached
 * predictions (one body) and uncached predictions (varying teams and odds). Prints requests/s,
 * p50/p99, server CPU per request, the machine's CPU steal during each run (time the hypervisor
 * gave to other guests: the usual cause of a slow run on a shared VM), the start-up time to the
 * first `/health/live` 200 and the RSS after 100k predictions (at the end of the load, then 4.5 s
 * later, after the server's end-of-burst memory trims).
 *
 * Options: `--duration <s>` (10), `--warmup <s>` (2), `--connections <n>` (50),
 * `--threads <n>` (1), `--engine onnx|memory|auto` (auto: onnx when `models/` has a model),
 * `--log-level <level>` (info), `--predictions <n>` for the RSS figure (100000), `--v8-flags <f>`
 * passed to the server's V8 after the start task's own (so they override them), `--rounds <n>`
 * (5: the scenarios run interleaved n times and the median round is reported, which damps the
 * noise of a shared machine; each round's own shares of `/health/live` and their median are
 * printed too), `--env NAME=value` (extra server environment, repeatable),
 * `--settle <s>` (31: the RSS is read again after this long idle, past the server's 30 s memory
 * trim; 0 skips it), `--floor on|off` (on: each round also drives `bench/floor_server.ts`, a bare
 * `Deno.serve` sending the same answers with no app work, and prints its POST share of GET: the
 * floor that Deno's HTTP layer and the kernel set on this machine).
 * @module
 */

import type { FloorAnswer, FloorAnswers } from "./floor_server.ts";

const ROOT = new URL("../", import.meta.url);
const FLOOR_GET = "floor: GET";
const FLOOR_POST = "floor: POST, cached body";

export interface BenchArgs {
  duration: number;
  warmup: number;
  connections: number;
  threads: number;
  engine: string;
  logLevel: string;
  predictions: number;
  v8Flags: string;
  rounds: number;
  env: Record<string, string>;
  settle: number;
  floor: boolean;
}

/** One wrk run. */
export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: string;
  /** Server CPU time (all threads) per request, in microseconds; less load-sensitive than req/s. */
  cpuUsPerRequest?: number;
  /** Share of the machine's CPU time the hypervisor gave to other guests during the run (%). */
  stealPercent?: number;
}

function parseArgs(args: string[]): BenchArgs {
  const out: BenchArgs = {
    duration: 10,
    warmup: 2,
    connections: 50,
    threads: 1,
    engine: "auto",
    logLevel: "info",
    predictions: 100_000,
    v8Flags: "",
    rounds: 5,
    env: {},
    settle: 31,
    floor: true,
  };
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (v === undefined) throw new Error(`Missing value for "${k}"`);
    switch (k) {
      case "--duration":
        out.duration = Number(v);
        break;
      case "--warmup":
        out.warmup = Number(v);
        break;
      case "--connections":
        out.connections = Number(v);
        break;
      case "--threads":
        out.threads = Number(v);
        break;
      case "--engine":
        out.engine = v;
        break;
      case "--log-level":
        out.logLevel = v;
        break;
      case "--predictions":
        out.predictions = Number(v);
        break;
      case "--v8-flags":
        out.v8Flags = v;
        break;
      case "--rounds":
        out.rounds = Number(v);
        break;
      case "--settle":
        out.settle = Number(v);
        break;
      case "--floor":
        if (v !== "on" && v !== "off") throw new Error(`Expected --floor on|off, got "${v}"`);
        out.floor = v === "on";
        break;
      case "--env": {
        const eq = v.indexOf("=");
        if (eq < 1) throw new Error(`Expected --env NAME=value, got "${v}"`);
        out.env[v.slice(0, eq)] = v.slice(eq + 1);
        break;
      }
      default:
        throw new Error(`Unknown option "${k}"`);
    }
  }
  return out;
}

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { ok: r.success, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
  } catch (e) {
    return { ok: false, out: (e as Error).message };
  }
}

/** Finds wrk, installing it with apt-get when missing (and running as root). */
export async function ensureWrk(): Promise<string> {
  const found = await run("sh", ["-c", "command -v wrk"]);
  if (found.ok) return found.out.trim();
  console.log("wrk not found: installing it with `apt-get install -y wrk`...");
  let r = await run("apt-get", ["install", "-y", "wrk"]);
  if (!r.ok) {
    await run("apt-get", ["update"]);
    r = await run("apt-get", ["install", "-y", "wrk"]);
  }
  const again = await run("sh", ["-c", "command -v wrk"]);
  if (!again.ok) {
    throw new Error(`wrk is needed and could not be installed: ${r.out.slice(-500)}`);
  }
  return again.out.trim();
}

/** The arguments of `deno task start` after `deno`, so the bench measures what users run. */
async function startTaskArgs(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const task = String(config.tasks?.start ?? "");
  const parts = task.trim().split(/\s+/);
  if (parts[0] !== "deno" || parts[1] !== "run") {
    throw new Error(`Cannot read the start task of deno.json: "${task}"`);
  }
  return parts.slice(1);
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function hasModels(): Promise<boolean> {
  try {
    for await (const e of Deno.readDir(new URL("models/", ROOT))) {
      if (!e.isDirectory) continue;
      try {
        await Deno.stat(new URL(`models/${e.name}/model.json`, ROOT));
        return true;
      } catch { /* not a model folder */ }
    }
  } catch { /* no models folder */ }
  return false;
}

function toMs(value: string): number {
  const m = value.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000;
}

/** Parses wrk's `--latency` report. */
export function parseWrk(out: string): WrkResult {
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  const p50 = toMs(out.match(/^\s+50%\s+(\S+)/m)?.[1] ?? "");
  const p99 = toMs(out.match(/^\s+99%\s+(\S+)/m)?.[1] ?? "");
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? NaN);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const errors = out.match(/Socket errors:.*$/m)?.[0] ?? "";
  return { requestsPerSecond: rps, p50Ms: p50, p99Ms: p99, requests, non2xx, errors };
}

function luaString(s: string): string {
  return `[==[${s.replace(/]==]/g, "")}]==]`;
}

/** A wrk script posting one fixed body (every request after the first is a cache hit). */
function cachedScript(body: string): string {
  return `wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = ${luaString(body)}
`;
}

/**
 * A wrk script posting bodies that never repeat: match pairs rotate and the odds encode a
 * per-thread counter, so every request misses the cache.
 */
export function uncachedScript(matches: string[]): string {
  return `local matches = { ${matches.map(luaString).join(",\n")} }
local n = 0
local counter = 0
local tid = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
end
function init(args)
  tid = tid or 0
  counter = (tonumber(wrk.thread:get("tid")) or 0) * 1000000
end
function request()
  counter = counter + 1
  local m = matches[(counter % #matches) + 1]
  local home = 1.5 + (counter % 9973) / 1000
  local away = 2 + (math.floor(counter / 9973) % 9973) / 1000
  local body = string.format('{%s,"odds":{"home":%.3f,"draw":3.4,"away":%.3f}}', m, home, away)
  return wrk.format("POST", "/api/v1/predictions", { ["Content-Type"] = "application/json" }, body)
end
`;
}

export async function wrk(
  bin: string,
  url: string,
  a: BenchArgs,
  seconds: number,
  script?: string,
): Promise<WrkResult> {
  const args = [
    `-t${a.threads}`,
    `-c${a.connections}`,
    `-d${seconds}s`,
    "--latency",
    "--timeout",
    "5s",
    ...(script ? ["-s", script] : []),
    url,
  ];
  const r = await run(bin, args);
  if (!r.ok) throw new Error(`wrk failed: ${r.out}`);
  return parseWrk(r.out);
}

async function waitLive(base: string, started: number, timeoutMs = 30_000): Promise<number> {
  while (performance.now() - started < timeoutMs) {
    try {
      const res = await fetch(`${base}/health/live`);
      await res.body?.cancel();
      if (res.status === 200) return performance.now() - started;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`Server did not answer /health/live within ${timeoutMs} ms`);
}

/** CPU time (user + system, all threads) of a process so far, in microseconds. */
async function cpuMicros(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Steal and total CPU time of the whole machine so far (`/proc/stat`, clock ticks). */
async function machineTicks(): Promise<{ steal: number; total: number }> {
  const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0];
  // cpu user nice system idle iowait irq softirq steal ...
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { steal: f[7], total: f.reduce((x, y) => x + y, 0) };
}

async function rssBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(status.match(/VmRSS:\s+(\d+)\s+kB/)?.[1] ?? NaN);
  return kb * 1024;
}

async function predictionsServed(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^sabiscore_predictions_total\{[^}]*\} (\d+)/gm)) {
    total += Number(m[1]);
  }
  return total;
}

async function heapOf(base: string): Promise<{ used: number; total: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (type: string) =>
    Number(
      text.match(new RegExp(`^sabiscore_process_memory_bytes\\{type="${type}"\\} (\\d+)`, "m"))
        ?.[1],
    );
  return { used: read("heap_used"), total: read("heap_total") };
}

/** End-of-burst trims the server has made (`idle` and `idle_settled`). */
async function idleTrims(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^sabiscore_memory_trims_total\{trigger="idle[a-z_]*"\} (\d+)/gm)) {
    n += Number(m[1]);
  }
  return n;
}

/** An answer as the floor server should send it: fields as received, minus `date` and length. */
async function captureAnswer(res: Response): Promise<FloorAnswer> {
  const headers: [string, string][] = [];
  for (const [k, v] of res.headers) {
    if (k !== "date" && k !== "content-length") headers.push([k, v]);
  }
  return { headers, body: await res.text() };
}

/**
 * Starts `bench/floor_server.ts` with the real server's `/health/live` answer and its cached
 * answer to `body` (posted until the cache answers it), on a free port; returns its base URL.
 */
async function startFloor(
  base: string,
  body: string,
  tmp: string,
): Promise<{ base: string; child: Deno.ChildProcess }> {
  const get = await captureAnswer(await fetch(`${base}/health/live`));
  let post: FloorAnswer | undefined;
  for (let i = 0; i < 5 && post === undefined; i++) {
    const res = await fetch(`${base}/api/v1/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    if (!res.ok) throw new Error(`The cached body was refused: ${res.status} ${await res.text()}`);
    if (res.headers.get("x-cache") === "HIT") post = await captureAnswer(res);
    else await res.body?.cancel();
  }
  if (!post) throw new Error("The cached body never came from the cache");
  const answers: FloorAnswers = { get, post };
  const file = `${tmp}/floor_answers.json`;
  await Deno.writeTextFile(file, JSON.stringify(answers));
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "bench/floor_server.ts", String(port), file],
    cwd: ROOT.pathname,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const floorBase = `http://127.0.0.1:${port}`;
  await waitLive(floorBase, performance.now());
  return { base: floorBase, child };
}

export async function matchesOf(base: string): Promise<string[]> {
  const leagues = await (await fetch(`${base}/api/v1/leagues`)).json() as {
    leagues: { key: string; available: boolean }[];
  };
  const out: string[] = [];
  for (const l of leagues.leagues.filter((x) => x.available)) {
    const res = await fetch(`${base}/api/v1/leagues/${l.key}/teams`);
    if (!res.ok) {
      await res.body?.cancel();
      continue;
    }
    const { teams } = await res.json() as { teams: { name: string }[] };
    for (let i = 0; i < teams.length; i++) {
      for (let j = 0; j < teams.length && out.length < 2000; j++) {
        if (i === j) continue;
        const pair = { league: l.key, home_team: teams[i].name, away_team: teams[j].name };
        out.push(JSON.stringify(pair).slice(1, -1));
      }
    }
  }
  if (out.length === 0) throw new Error("The server knows no teams: no model is loaded");
  return out;
}

function fmt(r: WrkResult): string {
  return `${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${
    r.p99Ms.toFixed(2)
  } ms  server CPU ${r.cpuUsPerRequest?.toFixed(0) ?? "?"} us/req  steal ${
    r.stealPercent?.toFixed(0) ?? "?"
  } %  (${r.requests} requests, non-2xx ${r.non2xx}${r.errors ? `, ${r.errors}` : ""})`;
}

/** Runs the HTTP benchmark. */
export async function benchHttp(rawArgs: string[]): Promise<void> {
  const a = parseArgs(rawArgs);
  const bin = await ensureWrk();
  const engine = a.engine === "auto" ? (await hasModels() ? "onnx" : "memory") : a.engine;
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const tmp = await Deno.makeTempDir({ prefix: "sabiscore_bench_" });
  console.log(
    `bench http: wrk (${bin}), ${a.connections} connections, ${a.threads} thread(s), ${a.duration} s ` +
      `per run after ${a.warmup} s warm-up; engine=${engine}, LOG_LEVEL=${a.logLevel}, ` +
      `rate limiting on (limit 1e9); ${navigator.hardwareConcurrency} CPUs, load average ` +
      Deno.loadavg().map((x) => x.toFixed(1)).join(" "),
  );
  const started = performance.now();
  const startArgs = await startTaskArgs();
  // After the task's own flags, just before the script: the last `--v8-flags` value wins.
  if (a.v8Flags) startArgs.splice(startArgs.length - 1, 0, `--v8-flags=${a.v8Flags}`);
  console.log(`server: deno ${startArgs.join(" ")} (the start task of deno.json)`);
  const child = new Deno.Command(Deno.execPath(), {
    args: startArgs,
    cwd: ROOT.pathname,
    env: {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      KV_PATH: `${tmp}/bench.kv`,
      ENABLE_RATE_LIMITING: "true",
      RATE_LIMIT_REQUESTS: "1000000000",
      LOG_LEVEL: a.logLevel,
      PREDICTION_ENGINE: engine,
      ...a.env,
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  let floor: { base: string; child: Deno.ChildProcess } | undefined;
  try {
    const startupMs = await waitLive(base, started);
    console.log(
      `start-up: first /health/live 200 after ${startupMs.toFixed(0)} ms; RSS ${
        (await rssBytes(child.pid) / 2 ** 20).toFixed(1)
      } MB`,
    );
    const matches = await matchesOf(base);
    const body = `{${matches[0]},"odds":{"home":2.6,"draw":3.4,"away":2.7}}`;
    const cachedLua = `${tmp}/cached.lua`, uncachedLua = `${tmp}/uncached.lua`;
    await Deno.writeTextFile(cachedLua, cachedScript(body));
    await Deno.writeTextFile(uncachedLua, uncachedScript(matches));

    floor = a.floor ? await startFloor(base, body, tmp) : undefined;
    // name, URL, wrk script, the process whose CPU is counted
    const scenarios: [string, string, string | undefined, number][] = [
      ["GET /health/live", `${base}/health/live`, undefined, child.pid],
      ["POST predictions, cached", `${base}/api/v1/predictions`, cachedLua, child.pid],
      ["POST predictions, uncached", base, uncachedLua, child.pid],
    ];
    if (floor) {
      // First in each round: the server's own runs stay last, so the RSS read after the rounds
      // is still at the end of its load.
      const pid = floor.child.pid;
      scenarios.unshift(
        [FLOOR_GET, `${floor.base}/health/live`, undefined, pid],
        [FLOOR_POST, `${floor.base}/api/v1/predictions`, cachedLua, pid],
      );
    }
    const runs: Record<string, WrkResult[]> = {};
    for (let round = 1; round <= a.rounds; round++) {
      for (const [name, url, script, pid] of scenarios) {
        if (a.warmup > 0) await wrk(bin, url, a, a.warmup, script);
        const cpuBefore = await cpuMicros(pid);
        const ticksBefore = await machineTicks();
        const r = await wrk(bin, url, a, a.duration, script);
        r.cpuUsPerRequest = (await cpuMicros(pid) - cpuBefore) / r.requests;
        const ticksAfter = await machineTicks();
        r.stealPercent = 100 * (ticksAfter.steal - ticksBefore.steal) /
          Math.max(1, ticksAfter.total - ticksBefore.total);
        (runs[name] ??= []).push(r);
        console.log(`round ${round}  ${name.padEnd(28)} ${fmt(r)}`);
      }
    }
    const results: Record<string, WrkResult> = {};
    console.log(`median of ${a.rounds} round(s):`);
    for (const [name] of scenarios) {
      const sorted = [...runs[name]].sort((x, y) => x.requestsPerSecond - y.requestsPerSecond);
      results[name] = sorted[Math.floor((sorted.length - 1) / 2)];
      console.log(`  ${name.padEnd(28)} ${fmt(results[name])}`);
    }
    const live = results["GET /health/live"].requestsPerSecond;
    const cached = results["POST predictions, cached"];
    const uncached = results["POST predictions, uncached"];
    console.log(
      `cached = ${
        (100 * cached.requestsPerSecond / live).toFixed(0)
      } % of live (target >= 70 %); ` +
        `uncached = ${(100 * uncached.requestsPerSecond / live).toFixed(0)} % of live ` +
        `(target >= 40 %), uncached p99 ${uncached.p99Ms.toFixed(2)} ms (target <= 20 ms)`,
    );
    // With a fixed number of connections, wrk keeps that many requests in flight: the mean
    // latency is connections / throughput (Little's law), and the p99 is that times the spread
    // of the distribution. A p99 over target is either too little throughput or too much spread.
    const inFlightMs = a.connections * 1000 / uncached.requestsPerSecond;
    console.log(
      `uncached latency: ${a.connections} connections / ${
        uncached.requestsPerSecond.toFixed(0)
      } req/s = ${inFlightMs.toFixed(2)} ms mean; p99 = ${
        (uncached.p99Ms / inFlightMs).toFixed(2)
      } x the mean; p99 per round: ${
        runs["POST predictions, uncached"].map((r) => r.p99Ms.toFixed(2)).join(", ")
      } ms`,
    );
    // Each round's shares, from runs a few seconds apart: steadier than the shares of the
    // medians when the machine's speed drifts between rounds.
    const share = (name: string, of: string, r: number) =>
      100 * runs[name][r].requestsPerSecond / runs[of][r].requestsPerSecond;
    const perRound = (name: string, of = "GET /health/live") =>
      Array.from({ length: a.rounds }, (_, r) => share(name, of, r)).sort((x, y) => x - y);
    const show = (xs: number[]) =>
      `${xs[Math.floor((xs.length - 1) / 2)].toFixed(0)} % (rounds: ${
        xs.map((x) => x.toFixed(0)).join(", ")
      })`;
    if (a.rounds > 1) {
      console.log(
        `per round: cached ${show(perRound("POST predictions, cached"))}; uncached ${
          show(perRound("POST predictions, uncached"))
        }`,
      );
    }
    if (floor) {
      const get = results[FLOOR_GET], post = results[FLOOR_POST];
      console.log(
        `floor (bench/floor_server.ts: a bare Deno.serve sending the same fields and bodies, no ` +
          `app work): POST of the cached body = ${
            (100 * post.requestsPerSecond / get.requestsPerSecond).toFixed(0)
          } % of GET, per round ${show(perRound(FLOOR_POST, FLOOR_GET))}; server CPU ${
            get.cpuUsPerRequest?.toFixed(0)
          } and ${post.cpuUsPerRequest?.toFixed(0)} us/req`,
      );
      floor.child.kill("SIGTERM");
      await floor.child.status;
      floor = undefined;
    }

    let served = await predictionsServed(base);
    while (served < a.predictions) {
      const seconds = Math.max(1, Math.ceil((a.predictions - served) / uncached.requestsPerSecond));
      await wrk(bin, base, a, seconds, uncachedLua);
      served = await predictionsServed(base);
    }
    const rss = await rssBytes(child.pid);
    const heap = await heapOf(base);
    console.log(
      `RSS at the end of the load (${served} predictions, still holding the load's garbage): ${
        (rss / 2 ** 20).toFixed(1)
      } MB; V8 heap used ${(heap.used / 2 ** 20).toFixed(1)} MB of ${
        (heap.total / 2 ** 20).toFixed(1)
      } MB`,
    );
    // The server trims once a burst is over (a full GC, malloc_trim, cold file pages) and again
    // one quiet second later (MEMORY_TRIM_INTERVAL_SECONDS > 0). No request meanwhile: a request
    // would count as activity and postpone the trims.
    const trimsBefore = await idleTrims(base);
    await new Promise((r) => setTimeout(r, 4500));
    const after = await rssBytes(child.pid);
    const trims = await idleTrims(base);
    console.log(
      `RSS after ${served} predictions, 4.5 s after the load: ${
        (after / 2 ** 20).toFixed(1)
      } MB (target < 150 MB); end-of-burst trims since the load: ${trims - trimsBefore}`,
    );
    if (a.settle > 0) {
      // Idle for a while: V8's idle collections and the server's periodic malloc_trim
      // (MEMORY_TRIM_INTERVAL_SECONDS, 30 s) hand back what the load left free.
      await new Promise((r) => setTimeout(r, a.settle * 1000));
      console.log(
        `RSS ${a.settle} s later, idle: ${((await rssBytes(child.pid)) / 2 ** 20).toFixed(1)} MB`,
      );
    }
  } finally {
    if (floor) {
      floor.child.kill("SIGTERM");
      await floor.child.status;
    }
    child.kill("SIGTERM");
    const status = await child.status;
    console.log(
      `server stopped (exit code ${status.code}${status.signal ? `, ${status.signal}` : ""})`,
    );
    await Deno.remove(tmp, { recursive: true });
  }
}
