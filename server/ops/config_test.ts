import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";

Deno.test("loadConfig: an empty environment gives the documented defaults", () => {
  const c = loadConfig({});
  assert.equal(c.port, 8000);
  assert.equal(c.kvPath, "./data/sabiscore.kv");
  assert.equal(c.dataDir, "../shared/data");
  assert.equal(c.enableRateLimiting, true);
  assert.equal(c.rateLimitRequests, 100);
  assert.equal(c.rateLimitWindowSeconds, 60);
  assert.equal(c.predictionTimeoutMs, 10_000);
  assert.equal(c.modelDir, "models");
  assert.equal(c.modelBaseUrl, undefined);
  assert.equal(c.skipS3, false);
  assert.equal(c.modelFetchStrict, false);
  assert.equal(c.maxCachedModels, 10);
  assert.equal(c.cacheMaxEntries, 1000);
  assert.equal(c.cacheAdmission, "repeated");
  assert.deepEqual(c.corsOrigins, []);
  assert.equal(c.trustProxy, 0);
  assert.equal(c.redis, undefined);
  assert.equal(c.logLevel, "info");
  assert.equal(c.maxBodyBytes, 16_384);
  assert.equal(c.predictionEngine, "onnx");
});

Deno.test("loadConfig: reads every variable", () => {
  const c = loadConfig({
    PORT: "9001",
    KV_PATH: "/tmp/x.kv",
    ENABLE_RATE_LIMITING: "false",
    RATE_LIMIT_REQUESTS: "5",
    RATE_LIMIT_WINDOW_SECONDS: "10",
    PREDICTION_TIMEOUT_MS: "250",
    MODEL_DIR: "m",
    MODEL_BASE_URL: "https://models.example.com/base",
    SKIP_S3: "yes",
    MODEL_FETCH_STRICT: "1",
    MAX_CACHED_MODELS: "2",
    CACHE_MAX_ENTRIES: "0",
    CACHE_ADMISSION: "ALL",
    CORS_ORIGINS: "https://a.example, http://localhost:3000",
    TRUST_PROXY: "true",
    REDIS_URL: "redis://127.0.0.1:6379",
    REDIS_KEY_PREFIX: "fleet-a:",
    INSTANCE_ID: "web-7",
    LOG_LEVEL: "WARN",
  });
  assert.equal(c.port, 9001);
  assert.equal(c.kvPath, "/tmp/x.kv");
  assert.equal(c.enableRateLimiting, false);
  assert.equal(c.rateLimitRequests, 5);
  assert.equal(c.rateLimitWindowSeconds, 10);
  assert.equal(c.predictionTimeoutMs, 250);
  assert.equal(c.modelDir, "m");
  assert.equal(c.modelBaseUrl, "https://models.example.com/base");
  assert.equal(c.skipS3, true);
  assert.equal(c.modelFetchStrict, true);
  assert.equal(c.maxCachedModels, 2);
  assert.equal(c.cacheMaxEntries, 0);
  assert.equal(c.cacheAdmission, "all");
  assert.deepEqual(c.corsOrigins, ["https://a.example", "http://localhost:3000"]);
  assert.equal(c.trustProxy, 1);
  assert.deepEqual(c.redis, {
    url: "redis://127.0.0.1:6379",
    keyPrefix: "fleet-a:",
    instanceId: "web-7",
    leaseTtlMs: 10_000,
    instancesHint: 2,
  });
  assert.equal(c.logLevel, "warn");
});

Deno.test("loadConfig: a bad variable fails with a message naming it", async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ RATE_LIMIT_REQUESTS: "0" }, "RATE_LIMIT_REQUESTS"],
    [{ RATE_LIMIT_WINDOW_SECONDS: "1.5" }, "RATE_LIMIT_WINDOW_SECONDS"],
    [{ ENABLE_RATE_LIMITING: "maybe" }, "ENABLE_RATE_LIMITING"],
    [{ MODEL_BASE_URL: "not a url" }, "MODEL_BASE_URL"],
    [{ REDIS_URL: "http://x" }, "REDIS_URL"],
    [{ REDIS_URL: "redis:///0" }, "REDIS_URL"],
    [{ REDIS_ENABLED: "perhaps" }, "REDIS_ENABLED"],
    [{ CORS_ORIGINS: "example.com" }, "CORS_ORIGINS"],
    [{ TRUST_PROXY: "sometimes" }, "TRUST_PROXY"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ PREDICTION_TIMEOUT_MS: "-1" }, "PREDICTION_TIMEOUT_MS"],
    [{ PREDICTION_ENGINE: "magic" }, "PREDICTION_ENGINE"],
    [{ CACHE_ADMISSION: "sometimes" }, "CACHE_ADMISSION"],
  ];
  for (const [env, name] of cases) {
    await t.step(name + "=" + Object.values(env)[0], () => {
      assert.throws(
        () => loadConfig(env),
        (e: unknown) =>
          e instanceof ConfigError && e.message.includes(name) &&
          e.problems.some((p) => p.variable === name),
      );
    });
  }
});

Deno.test("loadConfig: reports every bad variable at once", () => {
  try {
    loadConfig({ PORT: "x", LOG_LEVEL: "y" });
    assert.fail("expected a ConfigError");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.problems.map((p) => p.variable).sort(), ["LOG_LEVEL", "PORT"]);
  }
});

Deno.test("loadConfig: TRUST_PROXY accepts a hop count and ignores unrelated variables", () => {
  assert.equal(loadConfig({ TRUST_PROXY: "2" }).trustProxy, 2);
  assert.equal(loadConfig({ TRUST_PROXY: "false" }).trustProxy, 0);
  assert.equal(loadConfig({ HOME: "/root", PATH: "/bin" }).port, 8000);
});

Deno.test("loadConfig: live settings, defaults, and errors naming the variable", () => {
  const c = loadConfig({}).live;
  assert.equal(c.demoBookmaker, true);
  assert.equal(c.sourcesFile, undefined);
  assert.equal(c.demoScrapeMs, 2000);
  assert.equal(loadConfig({ DEMO_BOOKMAKER: "false" }).live.demoBookmaker, false);
  assert.equal(loadConfig({ ODDS_SOURCES: " s.json " }).live.sourcesFile, "s.json");
  assert.throws(() => loadConfig({ DEMO_BOOKMAKER: "maybe" }), /DEMO_BOOKMAKER/);
  assert.throws(() => loadConfig({ DEMO_TICK_MS: "5" }), /DEMO_TICK_MS/);
});

Deno.test("loadConfig: WS_SERVER defaults to the guarded upgrade and accepts deno", () => {
  assert.equal(loadConfig({}).wsServer, "guarded");
  assert.equal(loadConfig({ WS_SERVER: "deno" }).wsServer, "deno");
  assert.throws(() => loadConfig({ WS_SERVER: "uws" }), /WS_SERVER/);
});

Deno.test("loadConfig: fleet mode defaults and REDIS_ENABLED", async (t) => {
  await t.step("REDIS_URL alone: enabled, prefix sabi:, id host:pid", () => {
    const c = loadConfig({ REDIS_URL: "rediss://:s3cret@cache.example:6380/2" });
    assert.equal(c.redis?.url, "rediss://:s3cret@cache.example:6380/2");
    assert.equal(c.redis?.keyPrefix, "sabi:");
    assert.match(c.redis?.instanceId ?? "", new RegExp(`:${Deno.pid}$`));
  });
  await t.step("REDIS_ENABLED=false keeps embedded mode", () => {
    assert.equal(
      loadConfig({ REDIS_URL: "redis://h:6379", REDIS_ENABLED: "false" }).redis,
      undefined,
    );
  });
  await t.step("prefix and id without REDIS_URL keep embedded mode", () => {
    assert.equal(loadConfig({ REDIS_KEY_PREFIX: "x:", INSTANCE_ID: "a" }).redis, undefined);
  });
});

Deno.test("loadConfig: a bad REDIS_URL is reported without its password", () => {
  for (const url of ["http://user:hunter22@cache.example:6379", "redis://:hunter22@"]) {
    assert.throws(
      () => loadConfig({ REDIS_URL: url }),
      (e: unknown) =>
        e instanceof ConfigError && e.message.includes("REDIS_URL") &&
        !e.message.includes("hunter22") && e.message.includes("***"),
    );
  }
});
