/**
 * Health of one instance: liveness (cheap), readiness (models usable, KV answering, not shutting
 * down) and a component report (database = KV, cache, ML models, resources, uptime).
 * @module
 */
import { statfs } from "node:fs/promises";
import type { PredictionEngine } from "../domain/prediction.ts";
import type { PredictionService } from "../predict/prediction_service.ts";
import { disabledRedisStatus, type RedisStatus } from "../fleet/redis_client.ts";
import type { InstanceBeat } from "../fleet/instances.ts";

/** Status of a component or of the whole instance. */
export type HealthStatus = "ok" | "degraded" | "down";

/** One readiness check. */
export interface ReadyCheck {
  ok: boolean;
  detail?: string;
}

/** Answer of `/health/ready`. */
export interface ReadyReport {
  ready: boolean;
  /** Ready but serving with fallbacks (fleet mode with Redis away). */
  degraded: boolean;
  checks: Record<string, ReadyCheck>;
}

/** What `/health` shows of fleet mode. */
export interface FleetHealth {
  /** The Redis client's state, round trip, last error and fallbacks. */
  redis(): RedisStatus;
  /** The instances of the last heartbeat. */
  instances(): readonly InstanceBeat[];
}

/** Answer of `/health`. */
export interface HealthReport {
  status: HealthStatus;
  uptime_seconds: number;
  components: Record<string, { status: HealthStatus; detail?: string; [k: string]: unknown }>;
}

/** Options of {@link createHealth}. */
export interface HealthOptions {
  kv: Deno.Kv;
  engine: PredictionEngine;
  predictions: PredictionService;
  /** Path whose file system is reported under resources.disk. @default "." */
  diskPath?: string;
  /** Longest wait for the KV probe. @default 1000 */
  probeTimeoutMs?: number;
  /** Free disk below which the disk is reported degraded. @default 100 MiB */
  minFreeDiskBytes?: number;
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Fleet mode's Redis and instances. @default none: the redis component reads "disabled" */
  fleet?: FleetHealth;
}

/** Health checks of one instance. */
export interface Health {
  /** Liveness: true while the process runs. */
  live(): { status: "ok"; uptime_seconds: number };
  ready(): Promise<ReadyReport>;
  report(): Promise<HealthReport>;
  /** Makes readiness fail from now on (graceful shutdown). */
  setShuttingDown(): void;
  readonly shuttingDown: boolean;
}

/** Creates the health checks. */
export function createHealth(options: HealthOptions): Health {
  const { kv, engine, predictions } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const probeTimeout = options.probeTimeoutMs ?? 1000;
  const minFree = options.minFreeDiskBytes ?? 100 * 1024 * 1024;
  const diskPath = options.diskPath ?? ".";
  let shuttingDown = false;
  let probeSeq = 0;

  const uptime = () => Math.round((now() - startedAt) / 100) / 10;

  /** Writes a token to KV and reads it back. */
  async function probeKv(): Promise<ReadyCheck & { latency_ms?: number }> {
    const token = `${startedAt}:${++probeSeq}`;
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const probe = (async () => {
        await kv.set(["health", "probe"], token);
        const r = await kv.get<string>(["health", "probe"]);
        return r.value === token;
      })();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${probeTimeout} ms`)),
          probeTimeout,
        );
      });
      const ok = await Promise.race([probe, timeout]);
      const latency = Math.round((performance.now() - t0) * 1000) / 1000;
      return ok
        ? { ok: true, latency_ms: latency }
        : { ok: false, detail: "KV read back a different value" };
    } catch (e) {
      return { ok: false, detail: `KV probe failed: ${(e as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async function disk(): Promise<Record<string, unknown>> {
    try {
      const s = await statfs(diskPath);
      const free = Number(s.bavail) * Number(s.bsize);
      const total = Number(s.blocks) * Number(s.bsize);
      return { status: free < minFree ? "degraded" : "ok", free_bytes: free, total_bytes: total };
    } catch (e) {
      return { status: "degraded", detail: `Cannot read disk usage: ${(e as Error).message}` };
    }
  }

  return {
    live: () => ({ status: "ok", uptime_seconds: uptime() }),

    async ready(): Promise<ReadyReport> {
      const s = engine.status();
      const kvCheck = await probeKv();
      const checks: Record<string, ReadyCheck> = {
        models: s.ready
          ? { ok: true, detail: `${s.available.length} available, ${s.loaded.length} loaded` }
          : { ok: false, detail: s.detail ?? "Models are not loaded" },
        kv: kvCheck.ok ? { ok: true } : { ok: false, detail: kvCheck.detail },
        shutdown: shuttingDown ? { ok: false, detail: "Shutting down" } : { ok: true },
      };
      // Redis away leaves the instance ready: it serves with per-instance fallbacks, and taking
      // every instance out of the balancer at once would turn an outage of one store into one
      // of the whole service.
      const redis = options.fleet?.redis();
      const degraded = redis !== undefined && redis.state !== "up";
      if (redis) {
        checks.redis = degraded
          ? {
            ok: true,
            detail: `Redis unavailable (${
              redis.last_error ?? "not connected yet"
            }): degraded, serving with per-instance fallbacks`,
          }
          : { ok: true };
      }
      return { ready: Object.values(checks).every((c) => c.ok), degraded, checks };
    },

    async report(): Promise<HealthReport> {
      const s = engine.status();
      const [kvCheck, diskInfo] = await Promise.all([probeKv(), disk()]);
      const mem = predictions.memory();
      const usage = Deno.memoryUsage();
      const memory = {
        rss_bytes: usage.rss,
        heap_used_bytes: usage.heapUsed,
        limit_bytes: mem.limit,
      };
      const resourcesStatus: HealthStatus = usage.rss > mem.limit || diskInfo.status !== "ok"
        ? "degraded"
        : "ok";
      const components: HealthReport["components"] = {
        database: {
          status: kvCheck.ok ? "ok" : "down",
          kind: "deno-kv",
          ...(kvCheck.latency_ms !== undefined ? { latency_ms: kvCheck.latency_ms } : {}),
          ...(kvCheck.detail ? { detail: kvCheck.detail } : {}),
        },
        cache: { status: "ok", entries: predictions.cacheSize },
        ml_models: {
          status: s.ready ? "ok" : "down",
          loaded: s.loaded,
          available: s.available,
          ...(s.detail ? { detail: s.detail } : {}),
        },
        resources: { status: resourcesStatus, memory, disk: diskInfo },
        redis: redisComponent(options.fleet),
      };
      const statuses = Object.values(components).map((c) => c.status);
      const status: HealthStatus = shuttingDown || statuses.includes("down")
        ? "down"
        : statuses.includes("degraded")
        ? "degraded"
        : "ok";
      return { status, uptime_seconds: uptime(), components };
    },

    setShuttingDown() {
      shuttingDown = true;
    },
    get shuttingDown() {
      return shuttingDown;
    },
  };
}

/** The `redis` component: `disabled` in embedded mode, else the client's state and the fleet. */
function redisComponent(fleet: FleetHealth | undefined): HealthReport["components"][string] {
  // The same fields in both modes, so a reader of `/health` need not tell them apart first.
  if (!fleet) return { status: "ok", mode: "embedded", ...disabledRedisStatus() };
  const r = fleet.redis();
  return {
    status: r.state === "up" ? "ok" : "degraded",
    mode: "fleet",
    ...r,
    instances: fleet.instances().map((i) => i.instance_id),
  };
}
