/**
 * Boots one SabiScore instance: config from the environment, Deno KV, the model registry and
 * engine, the web layer, the app, `Deno.serve`; shuts down gracefully on SIGTERM/SIGINT
 * (readiness flips to 503 for the drain window while requests are still served, then the listener
 * closes, WebSockets close with 1001, in-flight requests finish, counters flush, KV closes).
 * @module
 */
import { type AppWebLayer, createApp } from "./http/app.ts";
import { type Config, ConfigError, loadConfig } from "./ops/config.ts";
import {
  closeServices,
  createPredictions,
  createServices,
  openFleetRedis,
} from "./services/services.ts";
import type { PredictionEngine } from "./domain/prediction.ts";
import { type LiveServices, openLiveServices } from "./live/live_services.ts";
import { createLogger, type Logger } from "./ops/logger.ts";
import { createMetrics } from "./ops/metrics.ts";
import { createMemoryTrimmer, lastResortGc, type V8Gc } from "./ops/memory_trim.ts";
import { createOnnxEngine } from "./ml/onnx_engine.ts";
import { createModelRegistry, type ModelRegistry } from "./ml/registry.ts";
import { createMemoryEngine } from "./predict/memory_engine.ts";
import { loadValuePolicy, overridePolicy, ValuePolicyError } from "./predict/value_policy.ts";
import type { ValuePolicy } from "./domain/value_policy.ts";
import { serveApp } from "./http/serve.ts";
import { createGuardedUpgrade } from "./live/guarded_upgrade.ts";
import { Counter, Histogram, type Registry } from "prom-client";

/** The engine and what must be closed with it. */
interface EngineHandle {
  engine: PredictionEngine;
  close(): Promise<void>;
}

function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

async function openEngine(
  config: Config,
  logger: Logger,
  policy: ValuePolicy,
): Promise<EngineHandle> {
  if (config.predictionEngine === "memory") {
    logger.warn("Serving the built-in league-average Poisson model (PREDICTION_ENGINE=memory)");
    return { engine: createMemoryEngine({ policy }), close: () => Promise.resolve() };
  }
  const registry: ModelRegistry = createModelRegistry({
    dir: config.modelDir,
    baseUrl: config.modelBaseUrl,
    skipRemote: config.skipS3,
    strict: config.modelFetchStrict,
    maxCached: config.maxCachedModels,
    logger: (level, msg, fields) => logger[level](msg, fields),
  });
  const report = await registry.init();
  logger.info("Models found", {
    dir: config.modelDir,
    available: report.available,
    refused: report.refused,
    fetched: report.fetched,
  });
  if (report.available.length === 0) {
    logger.warn("No valid model: predictions answer 503 and /health/ready stays 503", {
      dir: config.modelDir,
    });
  }
  return { engine: createOnnxEngine(registry, { policy }), close: () => registry.close() };
}

async function openWebLayer(logger: Logger): Promise<AppWebLayer | undefined> {
  try {
    const { createWebLayer } = await import("./web/web_layer.ts");
    return await createWebLayer();
  } catch (error) {
    logger.error("Web layer failed to start; serving the API only", { error });
    return undefined;
  }
}

/**
 * Hands freed native memory and unused file pages back to the OS on a timer and after bursts,
 * counted in `/metrics`.
 */
function startMemoryTrimmer(config: Config, registry: Registry) {
  const released = new Counter({
    name: "sabiscore_memory_trim_released_bytes_total",
    help: "Resident bytes handed back to the OS by memory trims (malloc_trim and file pages)",
    registers: [registry],
  });
  const filePages = new Counter({
    name: "sabiscore_memory_trim_file_pages_bytes_total",
    help: "Resident bytes of clean file pages (code touched once) dropped by memory trims",
    registers: [registry],
  });
  const trims = new Counter({
    name: "sabiscore_memory_trims_total",
    help: "Memory trims, by trigger (interval; idle and idle_settled = end of a burst; start)",
    labelNames: ["trigger"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "sabiscore_memory_trim_duration_seconds",
    help: "Time one memory trim took (it blocks the event loop)",
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
    registers: [registry],
  });
  const intervalMs = config.memoryTrimIntervalSeconds * 1000;
  return createMemoryTrimmer({
    intervalMs,
    idleMs: intervalMs > 0 ? 1000 : 0,
    // The start task runs V8 with --expose-gc for this (once a burst is over).
    collectGarbage: lastResortGc((globalThis as { gc?: V8Gc }).gc),
    coldPages: intervalMs > 0 ? undefined : null,
    onTrim: (r) => {
      if (r.releasedBytes > 0) released.inc(r.releasedBytes);
      filePages.inc(r.filePagesBytes);
      trims.inc({ trigger: r.trigger });
      duration.observe(r.durationMs / 1000);
    },
  });
}

/** Starts the server; resolves when it has shut down. */
export async function main(env: Record<string, string | undefined> = Deno.env.toObject()) {
  const bootStarted = performance.now();
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      Deno.exit(2);
    }
    throw e;
  }
  const logger = createLogger({ level: config.logLevel });
  let policy: ValuePolicy;
  try {
    policy = overridePolicy(await loadValuePolicy(config.modelDir), config.valuePolicyOverride);
  } catch (e) {
    if (e instanceof ValuePolicyError) {
      console.error(e.message);
      Deno.exit(2);
    }
    throw e;
  }
  logger.info("Value policy", {
    chosen: policy.chosen_on !== null,
    min_edge: policy.min_edge,
    close_edge: policy.close_edge,
  });

  if (config.kvPath !== ":memory:") {
    await Deno.mkdir(parentDir(config.kvPath), { recursive: true });
  }
  const kv = await Deno.openKv(config.kvPath);
  let engine: EngineHandle;
  try {
    engine = await openEngine(config, logger, policy);
  } catch (error) {
    logger.error("Cannot start without valid models (MODEL_FETCH_STRICT)", { error });
    logger.flush();
    kv.close();
    Deno.exit(1);
  }
  const metrics = createMetrics();
  const predictions = createPredictions({ config, engine: engine.engine, metrics });
  const fleet = openFleetRedis({ config, logger, metrics });
  // Starting on Redis, not in fallback, when it is there: an instance would otherwise admit its
  // first requests against a local window. Redis away at boot (the client has logged it) delays
  // the start by at most this much.
  await fleet?.whenUp(3000);
  const liveAbort = new AbortController();
  let live: LiveServices | undefined;
  try {
    live = await openLiveServices({
      predictions,
      policy,
      kv,
      signal: liveAbort.signal,
      registry: metrics.registry,
      config,
      log: (message) => logger.warn(message),
      fleet,
      leaseTtlMs: config.redis?.leaseTtlMs,
      onLeaderChange: (source, leading) => metrics.setSourceLeader(source, leading),
    });
    logger.info("Live odds started", {
      sources: live.feed.sources.map((s) => s.name),
      demo: live.feed.demo?.url,
    });
  } catch (error) {
    // Live odds are one feature: the API and pages keep working without them.
    logger.error("Live odds failed to start; serving without them", { error });
  }
  const services = createServices({
    config,
    kv,
    engine: engine.engine,
    logger,
    metrics,
    predictions,
    live,
    fleet,
  });
  const trimmer = startMemoryTrimmer(config, services.metrics.registry);
  const web = await openWebLayer(logger);
  const app = await createApp(services, { web });

  const server = serveApp(app, services, {
    port: config.port,
    hostname: config.hostname,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    drainMs: config.shutdownDrainMs,
    // Without live services there is no hub and `/ws` answers from the app itself.
    upgrade: config.wsServer === "guarded" && live
      ? createGuardedUpgrade(live.hub, { trustProxy: config.trustProxy })
      : undefined,
    onDrained: () => live?.hub.close(),
    onRequest: () => trimmer.noteActivity(),
    onListen: ({ hostname, port }) => {
      if (config.memoryTrimIntervalSeconds > 0) trimmer.trim("start");
      logger.info("Listening", {
        url: `http://${hostname}:${port}/`,
        boot_ms: Math.round(performance.now() - bootStarted),
        engine: config.predictionEngine,
        rate_limiting: config.enableRateLimiting,
        fleet: fleet ? { instance_id: fleet.instanceId, key_prefix: fleet.keyPrefix } : false,
      });
      // Operators and supervisors wait for this line: write it now, not with the next batch.
      logger.flush();
    },
    onClose: async () => {
      liveAbort.abort();
      await live?.close();
      await closeServices(services);
      await fleet?.close();
      await engine.close();
      trimmer.close();
      kv.close();
    },
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => {
      // Leases go at once, so a follower scrapes while this instance drains.
      void live?.releaseLeases();
      server.shutdown(signal).then(() => Deno.exit(0), (error) => {
        logger.error("Shutdown failed", { error });
        logger.flush();
        Deno.exit(1);
      });
    });
  }
  await server.finished;
}

if (import.meta.main) await main();
