/**
 * `deno task bench fleet`: what fleet mode costs one instance, in one run on one machine.
 *
 * 1. Rate-limited uncached predictions over HTTP (wrk, the same never-repeating bodies as
 *    `bench http`), on one real instance with the embedded KV rate-limit store and on one with
 *    the Redis store (one Lua round trip per request); the two run interleaved `--rounds` times
 *    and the median round is reported, with Redis as a share of embedded (target >= 70 %).
 * 2. The rate-limit stores alone: hits per second of the Redis store against the KV store, one
 *    at a time and 64 in flight, on one client key (the figures behind the Lua choice in
 *    `server/rate_limit/redis_store.ts`).
 * 3. A broadcast to 10,000 WebSocket clients split over 2 instances through Redis against
 *    10,000 on one instance (`bench/fleet_broadcast.ts`: `--clients`, `--broadcasts`,
 *    `--interval-ms`).
 * 4. The Redis odds store alone: ops/s of unchanged and moved scrapes, `history` and `cleanup`
 *    (`bench/fleet_odds.ts`: `--puts`, `--baseline <module>` for an A/B against another
 *    implementation).
 * 5. The shared value bets: Redis commands per changed match, one leader of both sources against
 *    a leader per source (`bench/fleet_value_bets.ts`: `--matches`, `--walks`).
 *
 * Options: `--duration <s>` (8), `--warmup <s>` (2), `--connections <n>` (50), `--rounds <n>`
 * (3), `--hits <n>` (20000, the store section), `--url <redis://...>` (the local Redis),
 * `--only http|stores|broadcast|odds|value-bets` (all).
 * @module
 */
import { FleetRedis } from "../server/fleet/redis_client.ts";
import { KvRateLimitStore } from "../server/rate_limit/kv_store.ts";
import { RedisRateLimitStore } from "../server/rate_limit/redis_store.ts";
import type { RateLimitStore } from "../server/rate_limit/store.ts";
import { FleetCluster } from "../server/testing/fleet_cluster.ts";
import { benchFleetBroadcast } from "./fleet_broadcast.ts";
import { benchFleetOdds } from "./fleet_odds.ts";
import { benchFleetValueBets } from "./fleet_value_bets.ts";
import {
  type BenchArgs,
  ensureWrk,
  matchesOf,
  uncachedScript,
  wrk,
  type WrkResult,
} from "./http.ts";

/** One measured figure of the store section. */
export interface FleetFigure {
  store: string;
  mode: "sequential" | "concurrent";
  hits: number;
  ops_per_s: number;
}

/** The HTTP section's median rounds. */
export interface FleetHttpFigures {
  embedded: WrkResult;
  redis: WrkResult;
  /** Redis requests/s as a share of embedded (1 = as fast). */
  ratio: number;
}

const IN_FLIGHT = 64;
const WINDOW_MS = 60_000;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function median(results: WrkResult[]): WrkResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)];
}

function line(name: string, r: WrkResult): string {
  return `${name.padEnd(20)} ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${
    r.p50Ms.toFixed(2)
  } ms  p99 ${r.p99Ms.toFixed(2)} ms  non-2xx ${r.non2xx}`;
}

/**
 * Section 1: two real instances, identical but for the rate-limit store, each loaded in turn
 * (the idle one costs a heartbeat every 2 s).
 */
export async function benchFleetHttp(args: string[], redisUrl: string): Promise<FleetHttpFigures> {
  const duration = Number(option(args, "--duration") ?? 8);
  const warmup = Number(option(args, "--warmup") ?? 2);
  const rounds = Number(option(args, "--rounds") ?? 3);
  const wrkArgs = {
    threads: 1,
    connections: Number(option(args, "--connections") ?? 50),
  } as BenchArgs;
  const bin = await ensureWrk();
  const dir = await Deno.makeTempDir({ prefix: "sabiscore-bench-fleet-" });
  // Rate limiting on with a limit no run reaches; no result cache, so every request computes.
  const env = {
    PREDICTION_ENGINE: "onnx",
    CACHE_MAX_ENTRIES: "0",
    ENABLE_RATE_LIMITING: "true",
    RATE_LIMIT_REQUESTS: "1000000000",
    LOG_LEVEL: "warn",
    DEMO_BOOKMAKER: "false",
  };
  const embedded = await FleetCluster.start({
    instances: 1,
    redisUrl: null,
    env: { ...env, KV_PATH: `${dir}/bench.kv` },
  });
  let fleet: FleetCluster | undefined;
  try {
    fleet = await FleetCluster.start({
      instances: 1,
      redisUrl,
      keyPrefix: `bench:fleet:${crypto.randomUUID().slice(0, 8)}:`,
      env,
    });
    const script = `${dir}/uncached.lua`;
    await Deno.writeTextFile(script, uncachedScript(await matchesOf(embedded.at(0).url)));
    const targets = [
      ["embedded (KV)", `${embedded.at(0).url}/api/v1/predictions`],
      ["fleet (Redis)", `${fleet.at(0).url}/api/v1/predictions`],
    ] as const;
    for (const [, url] of targets) await wrk(bin, url, wrkArgs, warmup, script);
    const results: Record<string, WrkResult[]> = {};
    for (let round = 1; round <= rounds; round++) {
      for (const [name, url] of targets) {
        const r = await wrk(bin, url, wrkArgs, duration, script);
        (results[name] ??= []).push(r);
        console.log(`round ${round}/${rounds}  ${line(name, r)}`);
      }
    }
    const figures = {
      embedded: median(results[targets[0][0]]),
      redis: median(results[targets[1][0]]),
      ratio: 0,
    };
    figures.ratio = figures.redis.requestsPerSecond / figures.embedded.requestsPerSecond;
    console.log(
      `median of ${rounds} rounds, ${duration} s each, ${wrkArgs.connections} connections:`,
    );
    console.log(line(targets[0][0], figures.embedded));
    console.log(line(targets[1][0], figures.redis));
    console.log(
      `Redis store: ${(figures.ratio * 100).toFixed(0)} % of the embedded store's throughput ` +
        `(target >= 70 %)`,
    );
    return figures;
  } finally {
    await fleet?.close();
    await embedded.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function measure(store: RateLimitStore, hits: number, inFlight: number): Promise<number> {
  const w = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
  const key = `bench-${crypto.randomUUID()}`;
  const t0 = performance.now();
  let next = 0;
  async function worker(): Promise<void> {
    while (next < hits) {
      next++;
      await store.hit(key, w, WINDOW_MS);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
  return hits / ((performance.now() - t0) / 1000);
}

/** Section 2: the two rate-limit stores without HTTP; one line per figure. */
export async function benchFleetStores(args: string[], url: string): Promise<FleetFigure[]> {
  const hits = Number(option(args, "--hits") ?? 20_000);
  const figures: FleetFigure[] = [];
  const redis = new FleetRedis({ url, keyPrefix: `bench:${crypto.randomUUID()}:` });
  const dir = await Deno.makeTempDir();
  const kv = await Deno.openKv(`${dir}/bench.kv`);
  try {
    if (!(await redis.whenUp(5000))) throw new Error(`Cannot reach Redis at ${url}`);
    const stores: [string, RateLimitStore][] = [
      ["redis-lua", new RedisRateLimitStore(redis)],
      ["deno-kv", new KvRateLimitStore(kv)],
    ];
    for (const [name, store] of stores) {
      for (const mode of ["sequential", "concurrent"] as const) {
        await measure(store, Math.min(1000, hits), 1); // warm-up
        const ops = await measure(store, hits, mode === "sequential" ? 1 : IN_FLIGHT);
        const figure = { store: name, mode, hits, ops_per_s: Math.round(ops) };
        figures.push(figure);
        console.log(
          `${name.padEnd(10)} ${mode.padEnd(10)} ${figure.ops_per_s} hits/s (${hits} hits)`,
        );
      }
      await store.close();
    }
    const keys = await redis.redis.keys(`${redis.keyPrefix}*`);
    if (keys.length > 0) await redis.redis.call("DEL", ...keys);
  } finally {
    kv.close();
    await redis.close();
    await Deno.remove(dir, { recursive: true });
  }
  return figures;
}

/** Runs the sections and prints their figures. */
export async function benchFleet(args: string[]): Promise<void> {
  const url = option(args, "--url") ?? "redis://127.0.0.1:6379";
  const only = option(args, "--only");
  // The machine is shared: its load at the start says how much the figures can be trusted.
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ").slice(0, 3);
  console.log(`load average at start: ${load.join(" ")} (${navigator.hardwareConcurrency} cores)`);
  if (only === undefined || only === "http") {
    console.log("== rate-limited uncached predictions, one instance: embedded vs Redis store");
    await benchFleetHttp(args, url);
  }
  if (only === undefined || only === "stores") {
    console.log("== rate-limit stores alone: hits/s");
    await benchFleetStores(args, url);
  }
  if (only === undefined || only === "broadcast") {
    console.log("== broadcast to WebSocket clients: one instance vs 2 instances through Redis");
    await benchFleetBroadcast(args);
  }
  if (only === undefined || only === "odds") {
    console.log("== odds store alone: ops/s");
    await benchFleetOdds(args, url);
  }
  if (only === undefined || only === "value-bets") {
    console.log("== shared value bets: Redis commands per changed match");
    await benchFleetValueBets(args, url);
  }
}

if (import.meta.main) await benchFleet(Deno.args);
