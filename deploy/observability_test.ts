import assert from "node:assert/strict";
import {
  dashboardExpressions,
  exposedMetricNames,
  metricNames,
  ruleFileExpressions,
} from "./promql/metric_names.ts";
import { startService } from "./testing/service_process.ts";
import { Redis } from "ioredis";
import {
  deleteKeys,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
} from "../server/fleet/test_redis.ts";

const HERE = new URL("./", import.meta.url);

/**
 * Series the service does not expose that the files may still use: Prometheus' own scrape
 * series, and (when no Redis is there to run the service in fleet mode) the Redis up gauge,
 * which only a fleet instance exposes.
 */
const NOT_FROM_METRICS = new Set(SHARED_REDIS ? ["up"] : ["up", "sabiscore_redis_up"]);

Deno.test("dashboard and alert rules use only series the service's /metrics exposes", async () => {
  // Fleet mode exposes every series (Redis ones too); its keys go under a prefix of its own.
  const prefix = testPrefix("obs");
  const service = await startService({
    env: SHARED_REDIS ? { REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: prefix } : {},
  });
  let exposition: string;
  try {
    const res = await fetch(`${service.url}/metrics`);
    assert.equal(res.status, 200);
    exposition = await res.text();
  } finally {
    await service.close();
    // The instance's keys (heartbeat, fleet size) would otherwise stay in the shared Redis.
    if (SHARED_REDIS) {
      const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        await deleteKeys(redis, prefix);
      } finally {
        redis.disconnect(false);
      }
    }
  }
  const exposed = exposedMetricNames(exposition);
  assert.ok(exposed.has("sabiscore_http_requests_total"), "the service exposes its metrics");

  const rules = ruleFileExpressions(
    await Deno.readTextFile(new URL("prometheus/alerts.yml", HERE)),
  );
  const dashboard = JSON.parse(await Deno.readTextFile(new URL("grafana/dashboard.json", HERE)));
  const sources = [
    ...rules.exprs.map((expr) => ({ file: "alerts.yml", expr })),
    ...dashboardExpressions(dashboard).map((expr) => ({ file: "dashboard.json", expr })),
  ];
  assert.ok(rules.exprs.length >= 9 && sources.length > rules.exprs.length + 10);
  const recorded = new Set(rules.records);
  const unknown = sources.flatMap(({ file, expr }) =>
    metricNames(expr)
      .filter((name) => !exposed.has(name) && !recorded.has(name) && !NOT_FROM_METRICS.has(name))
      .map((name) => `${file}: ${name} in ${expr}`)
  );
  assert.deepEqual(unknown, []);
  // Every name the files read is used somewhere, so the allow-list stays honest.
  const used = new Set(sources.flatMap(({ expr }) => metricNames(expr)));
  for (const name of NOT_FROM_METRICS) assert.ok(used.has(name), `${name} is used`);
});

Deno.test("dashboard.json: the panels the operators need, each with a query", async () => {
  const dashboard = JSON.parse(await Deno.readTextFile(new URL("grafana/dashboard.json", HERE)));
  const panels = dashboard.panels as {
    id: number;
    type: string;
    title: string;
    targets?: { expr: string }[];
  }[];
  const titles = panels.map((p) => p.title);
  for (
    const title of [
      "Request rate by route and status",
      "Latency p50 / p95 / p99",
      "Error rate (5xx)",
      "Prediction cache hit ratio",
      "WebSocket connections",
      "Events per second",
      "Odds source circuit breakers",
      "Memory (RSS and heap)",
      "Event loop lag",
    ]
  ) assert.ok(titles.includes(title), `panel "${title}"`);
  assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, "panel ids are unique");
  for (const p of panels.filter((p) => p.type !== "row")) {
    assert.ok((p.targets ?? []).length > 0 && p.targets!.every((t) => t.expr !== ""), p.title);
  }
});
