/**
 * Builds an app for tests: an in-memory KV, the memory engine, silent logs, an injectable clock,
 * and (by default) only the service routes (health, metrics, OpenAPI, docs, API), so a test does
 * not depend on page routes. Call `close()` at the end.
 * @module
 */
import type { Hono } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import { createApp, ROUTES_DIR } from "../http/app.ts";
import { loadConfig } from "../ops/config.ts";
import { closeServices, createServices, type Services } from "../services/services.ts";
import type { PredictionEngine } from "../domain/prediction.ts";
import { createMemoryLogger } from "../ops/logger.ts";
import { createMetrics } from "../ops/metrics.ts";
import { createMemoryEngine, type MemoryEngine } from "../predict/memory_engine.ts";
import type { RateLimitStore } from "../rate_limit/store.ts";
import type { FleetRedis } from "../fleet/redis_client.ts";
import { filePathToPattern, type RouteEntry, type RouteModule } from "../web/router.ts";

/** The route files of the service foundation. */
export const SERVICE_ROUTE_FILES: readonly string[] = [
  "health/index.ts",
  "health/live.ts",
  "health/ready.ts",
  "metrics.ts",
  "openapi.json.ts",
  "docs.ts",
  "api/v1/predictions.ts",
  "api/v1/leagues/index.ts",
  "api/v1/leagues/[league]/teams.ts",
];

/** Loads some route files of `routes/` as entries for `createApp({ routes })`. */
export async function loadRouteFiles(files: readonly string[]): Promise<RouteEntry[]> {
  const entries: RouteEntry[] = [];
  for (const file of files) {
    const pattern = filePathToPattern(file);
    if (!pattern) throw new Error(`"${file}" is not a route file`);
    const module = await import(new URL(file, ROUTES_DIR).href) as RouteModule;
    entries.push({ file, pattern, module });
  }
  return entries;
}

/** Options of {@link createTestApp}. */
export interface TestAppOptions {
  /** Environment variables for `loadConfig`. @default {} (defaults) */
  env?: Record<string, string>;
  /** @default a ready {@link createMemoryEngine} */
  engine?: PredictionEngine;
  /** @default an in-memory KV opened here and closed by `close()` */
  kv?: Deno.Kv;
  /** @default the KV-backed store of the core services */
  rateLimitStore?: RateLimitStore | null;
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Resident memory reading. @default the real one */
  memoryUsage?: () => number;
  /** The Redis client of fleet mode (the test closes it). @default none: embedded mode */
  fleet?: FleetRedis;
  /** Route entries. @default {@link SERVICE_ROUTE_FILES} */
  routes?: RouteEntry[];
}

/** A test app with its parts. */
export interface TestApp {
  app: Hono<AppEnv>;
  services: Services;
  engine: PredictionEngine;
  logger: ReturnType<typeof createMemoryLogger>;
  /** Closes the services and, when opened here, the KV. */
  close(): Promise<void>;
}

let serviceRoutes: Promise<RouteEntry[]> | undefined;

/** Builds a test app. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: "debug", ...options.env });
  const ownKv = options.kv === undefined;
  const kv = options.kv ?? await Deno.openKv(":memory:");
  const engine: PredictionEngine | MemoryEngine = options.engine ?? createMemoryEngine();
  const logger = createMemoryLogger("debug");
  const services = createServices({
    config,
    kv,
    engine,
    logger,
    metrics: createMetrics({ defaultMetrics: false }),
    rateLimitStore: options.rateLimitStore,
    now: options.now,
    memoryUsage: options.memoryUsage,
    fleet: options.fleet,
  });
  const routes = options.routes ?? await (serviceRoutes ??= loadRouteFiles(SERVICE_ROUTE_FILES));
  const app = await createApp(services, { routes });
  return {
    app,
    services,
    engine,
    logger,
    async close() {
      await closeServices(services);
      if (ownKv) kv.close();
    },
  };
}
