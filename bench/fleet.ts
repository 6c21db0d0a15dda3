/**
 * `deno task bench fleet [--hits N] [--url redis://...]`: hits per second of the Redis
 * rate-limit store (one Lua round trip per hit) against the Deno KV store, one hit at a time
 * and 64 in flight, on one client key.
 * @module
 */
import { FleetRedis } from "../server/fleet/redis_client.ts";
import { KvRateLimitStore } from "../server/rate_limit/kv_store.ts";
import { RedisRateLimitStore } from "../server/rate_limit/redis_store.ts";
import type { RateLimitStore } from "../server/rate_limit/store.ts";

/** One measured figure. */
export interface FleetFigure {
  store: string;
  mode: "sequential" | "concurrent";
  hits: number;
  ops_per_s: number;
}

const IN_FLIGHT = 64;
const WINDOW_MS = 60_000;

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

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Measures both stores and prints one line per figure. */
export async function benchFleet(args: string[]): Promise<FleetFigure[]> {
  const hits = Number(option(args, "--hits") ?? 20_000);
  const url = option(args, "--url") ?? "redis://127.0.0.1:6379";
  const figures: FleetFigure[] = [];
  const redis = new FleetRedis({ url, keyPrefix: `bench:${crypto.randomUUID()}:` });
  const dir = await Deno.makeTempDir();
  const kv = await Deno.openKv(`${dir}/bench.kv`);
  try {
    await redis.ping().catch(() => {});
    while (!redis.isUp) await new Promise((r) => setTimeout(r, 20));
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

if (import.meta.main) await benchFleet(Deno.args);
