/**
 * Service configuration, parsed once from environment variables with zod. A bad variable stops
 * start-up with a message naming it.
 * @module
 */
import { z } from "zod";
import { defaultInstanceId } from "../fleet/instance_id.ts";
import { redisUrlProblem } from "../fleet/redis_url.ts";

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off", ""]);

function bool(defaultValue: boolean) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return defaultValue;
      const s = v.trim().toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      ctx.addIssue({ code: "custom", message: `Expected true or false, got "${v}"` });
      return z.NEVER;
    });
}

function int(defaultValue: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return defaultValue;
      const n = Number(v.trim());
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: "custom",
          message: `Expected an integer from ${min} to ${max}, got "${v}"`,
        });
        return z.NEVER;
      }
      return n;
    });
}

function optionalString() {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
}

function stringWithDefault(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? defaultValue : v.trim()));
}

/** One of `values` (case-insensitive), `values[0]` when unset. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return optionalString().transform((v, ctx) => {
    if (v === undefined) return values[0] as T[number];
    const s = v.toLowerCase();
    if ((values as readonly string[]).includes(s)) return s as T[number];
    ctx.addIssue({ code: "custom", message: `Expected ${values.join(" or ")}, got "${v}"` });
    return z.NEVER;
  });
}

function url(protocols: readonly string[]) {
  return optionalString().superRefine((v, ctx) => {
    if (v === undefined) return;
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: `Expected a URL, got "${v}"` });
      return;
    }
    if (!protocols.includes(parsed.protocol)) {
      ctx.addIssue({
        code: "custom",
        message: `Expected a ${protocols.join(" or ")} URL, got "${v}"`,
      });
    }
  });
}

/** A `redis://` or `rediss://` URL; messages never repeat its password. */
function redisUrl() {
  return optionalString().superRefine((v, ctx) => {
    const problem = v === undefined ? null : redisUrlProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** The log levels a `LOG_LEVEL` may name. */
export type LogLevel = typeof LOG_LEVELS[number];

const EnvSchema = z.object({
  PORT: int(8000, 0, 65535),
  HOSTNAME: stringWithDefault("0.0.0.0"),
  KV_PATH: stringWithDefault("./data/sabiscore.kv"),
  DATA_DIR: stringWithDefault("../shared/data"),
  ENABLE_RATE_LIMITING: bool(true),
  RATE_LIMIT_REQUESTS: int(100, 1, 1_000_000_000),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 86_400),
  PREDICTION_TIMEOUT_MS: int(10_000, 1, 600_000),
  MODEL_DIR: stringWithDefault("models"),
  MODEL_BASE_URL: url(["http:", "https:", "s3:"]),
  SKIP_S3: bool(false),
  MODEL_FETCH_STRICT: bool(false),
  MAX_CACHED_MODELS: int(10, 1, 1000),
  CACHE_MAX_ENTRIES: int(1000, 0, 10_000_000),
  CACHE_ADMISSION: oneOf(["repeated", "all"]),
  CORS_ORIGINS: optionalString().transform((v, ctx) => {
    if (v === undefined) return [] as string[];
    const origins = v.split(",").map((s) => s.trim()).filter((s) => s !== "");
    for (const o of origins) {
      if (o === "*") continue;
      let ok = false;
      try {
        const u = new URL(o);
        ok = (u.protocol === "http:" || u.protocol === "https:") && u.origin === o;
      } catch { /* reported below */ }
      if (!ok) {
        ctx.addIssue({
          code: "custom",
          message: `Expected "*" or origins like "https://example.com", got "${o}"`,
        });
        return z.NEVER;
      }
    }
    return origins;
  }),
  TRUST_PROXY: optionalString().transform((v, ctx) => {
    if (v === undefined) return 0;
    const s = v.toLowerCase();
    if (TRUE.has(s) && s !== "1") return 1;
    if (FALSE.has(s)) return 0;
    const n = Number(s);
    if (Number.isInteger(n) && n >= 0 && n <= 10) return n;
    ctx.addIssue({
      code: "custom",
      message: `Expected true, false or a number of proxy hops (0-10), got "${v}"`,
    });
    return z.NEVER;
  }),
  REDIS_URL: redisUrl(),
  REDIS_ENABLED: bool(true),
  REDIS_KEY_PREFIX: stringWithDefault("sabi:"),
  INSTANCE_ID: optionalString(),
  FLEET_LEASE_TTL_MS: int(10_000, 300, 600_000),
  LOG_LEVEL: optionalString().transform((v, ctx) => {
    if (v === undefined) return "info" as LogLevel;
    const s = v.toLowerCase();
    if ((LOG_LEVELS as readonly string[]).includes(s)) return s as LogLevel;
    ctx.addIssue({
      code: "custom",
      message: `Expected one of ${LOG_LEVELS.join(", ")}, got "${v}"`,
    });
    return z.NEVER;
  }),
  PREDICTION_ENGINE: oneOf(["onnx", "memory"]),
  MAX_BODY_BYTES: int(16_384, 256, 10_485_760),
  MEMORY_LIMIT_MB: int(1024, 16, 1_048_576),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
  SHUTDOWN_DRAIN_MS: int(15_000, 0, 600_000),
  WS_SERVER: oneOf(["guarded", "deno"]),
  MEMORY_TRIM_INTERVAL_SECONDS: int(30, 0, 86_400),
  DEMO_BOOKMAKER: bool(true),
  ODDS_SOURCES: optionalString(),
  DEMO_TICK_MS: int(3_000, 100, 86_400_000),
  DEMO_SCRAPE_MS: int(2_000, 100, 86_400_000),
  DEMO_KICKOFF_EVERY_MS: int(3_600_000, 1_000, 86_400_000),
  ODDS_HISTORY_PER_SOURCE: int(200, 1, 1_000_000),
});

/** Settings of the live odds side. */
export interface LiveConfig {
  /** `DEMO_BOOKMAKER`: run and scrape the embedded demo bookmaker. @default true */
  demoBookmaker: boolean;
  /** `ODDS_SOURCES`: JSON file listing extra sources. @default undefined */
  sourcesFile?: string;
  /** `DEMO_TICK_MS`: time between two demo price moves (100 or more). @default 3000 */
  demoTickMs: number;
  /** `DEMO_SCRAPE_MS`: time between two scrapes of the demo board (100 or more). @default 2000 */
  demoScrapeMs: number;
  /**
   * `DEMO_KICKOFF_EVERY_MS`: time between two demo kick-off slots (48 slots); a demo fixture's
   * prices go from opening to closing between its listing and kick-off. @default 3600000
   */
  demoKickoffEveryMs: number;
  /** `ODDS_HISTORY_PER_SOURCE`: price changes kept per match and source. @default 200 */
  historyPerSource: number;
}

/** Fleet mode: the Redis the instances share. */
export interface RedisConfig {
  /** `REDIS_URL`: `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). Never logged. */
  url: string;
  /** `REDIS_KEY_PREFIX`: prefix of every key this fleet writes. @default "sabi:" */
  keyPrefix: string;
  /** `INSTANCE_ID`: this instance's name in the fleet. @default `${hostname}:${pid}` */
  instanceId: string;
  /**
   * `FLEET_LEASE_TTL_MS`: life of an odds source's lease; a dead leader's sources are taken
   * over within it. @default 10000
   */
  leaseTtlMs: number;
}

/** The parsed configuration of one service instance. */
export interface Config {
  /** `PORT`: TCP port to listen on (0 picks a free one). @default 8000 */
  port: number;
  /** `HOSTNAME`: interface to listen on. @default "0.0.0.0" */
  hostname: string;
  /** `KV_PATH`: Deno KV database file. @default "./data/sabiscore.kv" */
  kvPath: string;
  /** `DATA_DIR`: the shared football data folder. @default "../shared/data" */
  dataDir: string;
  /** `ENABLE_RATE_LIMITING`: whether `/api/*` is rate limited. @default true */
  enableRateLimiting: boolean;
  /** `RATE_LIMIT_REQUESTS`: requests allowed per client per window. @default 100 */
  rateLimitRequests: number;
  /** `RATE_LIMIT_WINDOW_SECONDS`: length of a fixed rate-limit window. @default 60 */
  rateLimitWindowSeconds: number;
  /** `PREDICTION_TIMEOUT_MS`: a prediction taking longer is answered with 504. @default 10000 */
  predictionTimeoutMs: number;
  /** `MODEL_DIR`: folder of model artefacts. @default "models" */
  modelDir: string;
  /** `MODEL_BASE_URL`: remote model store to fetch missing artefacts from. @default undefined */
  modelBaseUrl?: string;
  /** `SKIP_S3`: never fetch from the remote model store. @default false */
  skipS3: boolean;
  /** `MODEL_FETCH_STRICT`: refuse to start without valid models. @default false */
  modelFetchStrict: boolean;
  /**
   * `MAX_CACHED_MODELS`: league models kept in memory (LRU). The default covers every league:
   * a model is ~50 KB of ONNX, and reloading one on every league switch costs far more.
   * @default 10
   */
  maxCachedModels: number;
  /** `CACHE_MAX_ENTRIES`: predictions kept in the result cache (LRU, 0 disables). @default 1000 */
  cacheMaxEntries: number;
  /**
   * `CACHE_ADMISSION`: which computed predictions enter the result cache. `repeated`: those whose
   * request was already missed recently (computed twice, then cached), so one-off requests never
   * churn it; `all`: every one. @default "repeated"
   */
  cacheAdmission: "repeated" | "all";
  /** `CORS_ORIGINS`: comma-separated allowed origins, or `*`. @default [] (same origin only) */
  corsOrigins: string[];
  /**
   * `TRUST_PROXY`: number of reverse proxies in front of the service (`true` = 1). Only when
   * above 0 is `X-Forwarded-For` used for the client address. @default 0
   */
  trustProxy: number;
  /**
   * Fleet mode: set when `REDIS_URL` is set and `REDIS_ENABLED` is not false (it defaults to
   * true). Undefined means embedded mode: one process on its KV file, and nothing connects to
   * Redis. @default undefined
   */
  redis?: RedisConfig;
  /** `LOG_LEVEL`: debug, info, warn, error or silent. @default "info" */
  logLevel: LogLevel;
  /**
   * `PREDICTION_ENGINE`: `onnx` serves the trained models of `MODEL_DIR`; `memory` serves the
   * built-in league-average Poisson model (demos, benchmarks without models). @default "onnx"
   */
  predictionEngine: "onnx" | "memory";
  /** `MAX_BODY_BYTES`: largest accepted request body. @default 16384 */
  maxBodyBytes: number;
  /** `MEMORY_LIMIT_MB`: above this RSS predictions are refused with 503. @default 1024 */
  memoryLimitMb: number;
  /** `SHUTDOWN_TIMEOUT_MS`: longest wait for in-flight requests on shutdown. @default 10000 */
  shutdownTimeoutMs: number;
  /**
   * `SHUTDOWN_DRAIN_MS`: after SIGTERM, how long `/health/ready` answers 503 while requests are
   * still served, before the listener closes. With the in-flight wait (`SHUTDOWN_TIMEOUT_MS`)
   * it fits Render's 30 s between SIGTERM and SIGKILL. @default 15000
   */
  shutdownDrainMs: number;
  /**
   * `WS_SERVER`: how `/ws` upgrades are served. `guarded` runs the app on node:http with npm
   * `ws`, which refuses a frame over the message limit from its header (1009); `deno` uses
   * `Deno.serve`, whose upgrade buffers whole frames of any size (denoland/deno#15809).
   * @default "guarded"
   */
  wsServer: "guarded" | "deno";
  /**
   * `MEMORY_TRIM_INTERVAL_SECONDS`: how often unused memory is handed back to the OS (glibc
   * `malloc_trim` and clean file pages, see `server/memory_trim.ts`; also after each burst of
   * requests); 0 turns both off. @default 30
   */
  memoryTrimIntervalSeconds: number;
  /** Live odds: demo bookmaker, extra sources, price history. */
  live: LiveConfig;
}

/** Thrown by {@link loadConfig} when a variable is invalid; the message names each one. */
export class ConfigError extends Error {
  /** The invalid variables with what is wrong with each. */
  readonly problems: { variable: string; message: string }[];
  constructor(problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join("; ")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Names of every environment variable {@link loadConfig} reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

/**
 * Parses the configuration from an environment (e.g. `Deno.env.toObject()`). Reads only its
 * argument (and, in fleet mode without `INSTANCE_ID`, the host name and pid). Throws {@link ConfigError} naming every invalid variable.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const picked: Record<string, string | undefined> = {};
  for (const k of CONFIG_VARIABLES) picked[k] = env[k];
  const r = EnvSchema.safeParse(picked);
  if (!r.success) {
    throw new ConfigError(
      r.error.issues.map((i) => ({ variable: String(i.path[0] ?? "?"), message: i.message })),
    );
  }
  const e = r.data;
  return {
    port: e.PORT,
    hostname: e.HOSTNAME,
    kvPath: e.KV_PATH,
    dataDir: e.DATA_DIR,
    enableRateLimiting: e.ENABLE_RATE_LIMITING,
    rateLimitRequests: e.RATE_LIMIT_REQUESTS,
    rateLimitWindowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
    predictionTimeoutMs: e.PREDICTION_TIMEOUT_MS,
    modelDir: e.MODEL_DIR,
    modelBaseUrl: e.MODEL_BASE_URL,
    skipS3: e.SKIP_S3,
    modelFetchStrict: e.MODEL_FETCH_STRICT,
    maxCachedModels: e.MAX_CACHED_MODELS,
    cacheMaxEntries: e.CACHE_MAX_ENTRIES,
    cacheAdmission: e.CACHE_ADMISSION,
    corsOrigins: e.CORS_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    redis: e.REDIS_URL !== undefined && e.REDIS_ENABLED
      ? {
        url: e.REDIS_URL,
        keyPrefix: e.REDIS_KEY_PREFIX,
        instanceId: e.INSTANCE_ID ?? defaultInstanceId(),
        leaseTtlMs: e.FLEET_LEASE_TTL_MS,
      }
      : undefined,
    logLevel: e.LOG_LEVEL,
    predictionEngine: e.PREDICTION_ENGINE,
    maxBodyBytes: e.MAX_BODY_BYTES,
    memoryLimitMb: e.MEMORY_LIMIT_MB,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    wsServer: e.WS_SERVER,
    memoryTrimIntervalSeconds: e.MEMORY_TRIM_INTERVAL_SECONDS,
    live: {
      demoBookmaker: e.DEMO_BOOKMAKER,
      sourcesFile: e.ODDS_SOURCES,
      demoTickMs: e.DEMO_TICK_MS,
      demoScrapeMs: e.DEMO_SCRAPE_MS,
      demoKickoffEveryMs: e.DEMO_KICKOFF_EVERY_MS,
      historyPerSource: e.ODDS_HISTORY_PER_SOURCE,
    },
  };
}
