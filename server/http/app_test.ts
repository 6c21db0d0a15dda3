import assert from "node:assert/strict";
import { RedisUnavailableError } from "../fleet/redis_unavailable.ts";
import { HttpError } from "./errors.ts";
import { createTestApp, loadRouteFiles, SERVICE_ROUTE_FILES } from "../testing/test_app.ts";
import type { RouteEntry } from "../web/router.ts";

async function withBoom(): Promise<RouteEntry[]> {
  const routes = await loadRouteFiles(SERVICE_ROUTE_FILES);
  return [
    ...routes,
    {
      file: "boom.ts",
      pattern: "/boom",
      module: {
        handler: {
          GET: () => {
            throw new Error("secret internals: password=hunter2");
          },
          POST: () => {
            throw new HttpError(409, "Already there", { code: "conflict", details: { id: 1 } });
          },
          PUT: () => {
            throw new HttpError(503, 'No model for "x"', { code: "model_unavailable" });
          },
          DELETE: () => {
            throw new RedisUnavailableError(new Error("Connection is closed."));
          },
        },
      },
    },
  ];
}

Deno.test("createApp: an unknown error is a 500 with the request id, logged once, no internals", async () => {
  const t = await createTestApp({ routes: await withBoom() });
  try {
    const res = await t.app.request("/boom", { headers: { "x-request-id": "test-request-0001" } });
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.ok(!text.includes("hunter2") && !text.includes("secret"), text);
    const { error } = JSON.parse(text);
    assert.equal(error.code, "internal_error");
    assert.equal(error.request_id, "test-request-0001");
    assert.equal(res.headers.get("x-request-id"), "test-request-0001");
    const errors = t.logger.lines.filter((l) => l.msg === "Unhandled error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].request_id, "test-request-0001");
    assert.match(JSON.stringify(errors[0].error), /hunter2/, "the log keeps the cause");
  } finally {
    await t.close();
  }
});

Deno.test("createApp: HttpError keeps its status, code and details", async () => {
  const t = await createTestApp({ routes: await withBoom() });
  try {
    const res = await t.app.request("/boom", { method: "POST" });
    assert.equal(res.status, 409);
    const { error } = await res.json();
    assert.deepEqual({ code: error.code, message: error.message, details: error.details }, {
      code: "conflict",
      message: "Already there",
      details: { id: 1 },
    });
  } finally {
    await t.close();
  }
});

Deno.test("createApp: a 503 without Retry-After gets a default one", async () => {
  const t = await createTestApp({ routes: await withBoom() });
  try {
    const res = await t.app.request("/boom", { method: "PUT" });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "5");
    const { error } = await res.json();
    assert.equal(error.code, "model_unavailable");
    assert.equal(error.retry_after_seconds, 5);
  } finally {
    await t.close();
  }
});

Deno.test("createApp: Redis out of reach is the 503 redis_unavailable, not logged per request", async () => {
  const t = await createTestApp({ routes: await withBoom() });
  try {
    const res = await t.app.request("/boom", { method: "DELETE" });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "5");
    const { error } = await res.json();
    assert.deepEqual({ ...error, request_id: "-" }, {
      code: "redis_unavailable",
      message:
        "Live odds are temporarily unavailable (the fleet's shared store is unreachable); retry shortly",
      request_id: "-",
      retry_after_seconds: 5,
    });
    // Only the access line: the Redis client logs the outage once, not the handler per request.
    assert.deepEqual(t.logger.lines.map((l) => l.msg), ["request"]);
  } finally {
    await t.close();
  }
});

Deno.test("createApp: unknown paths are a JSON 404; hostile request ids are replaced", async () => {
  const t = await createTestApp();
  try {
    const res = await t.app.request("/nope", { headers: { "x-request-id": "<script>" } });
    assert.equal(res.status, 404);
    const { error } = await res.json();
    assert.equal(error.code, "not_found");
    assert.notEqual(error.request_id, "<script>");
    assert.equal(error.request_id, res.headers.get("x-request-id"));
  } finally {
    await t.close();
  }
});

Deno.test("createApp: a method a route does not handle is a JSON 405 with Allow", async () => {
  const t = await createTestApp();
  try {
    const get = await t.app.request("/api/v1/predictions");
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    const { error } = await get.json();
    assert.equal(error.code, "method_not_allowed");
    assert.match(error.message, /GET is not allowed on \/api\/v1\/predictions; use POST/);
    assert.equal(get.headers.get("x-content-type-options"), "nosniff", "middleware fields too");

    // GET implies HEAD; a parameterised route answers 405 as well; unknown paths stay 404.
    const cases: [string, string, number, string | null][] = [
      ["POST", "/health/live", 405, "GET, HEAD"],
      ["HEAD", "/health/live", 200, null],
      ["DELETE", "/api/v1/leagues/epl/teams", 405, "GET, HEAD"],
      ["DELETE", "/api/v1/nothing-here", 404, null],
    ];
    for (const [method, path, status, allow] of cases) {
      const res = await t.app.request(path, { method });
      await res.body?.cancel();
      assert.equal(res.status, status, `${method} ${path}`);
      assert.equal(res.headers.get("allow"), allow, `${method} ${path}`);
    }
  } finally {
    await t.close();
  }
});

Deno.test("createApp: security headers and CSP on every response", async () => {
  const t = await createTestApp();
  try {
    for (const path of ["/health/live", "/nope", "/docs"]) {
      const res = await t.app.request(path);
      await res.body?.cancel();
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("x-frame-options"), "DENY");
      assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    }
  } finally {
    await t.close();
  }
});

Deno.test("createApp: CORS answers only allow-listed origins", async () => {
  const t = await createTestApp({ env: { CORS_ORIGINS: "https://app.example" } });
  try {
    const ok = await t.app.request("/api/v1/leagues", {
      headers: { origin: "https://app.example" },
    });
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://app.example");
    assert.match(ok.headers.get("access-control-expose-headers") ?? "", /RateLimit/);
    await ok.body?.cancel();
    const bad = await t.app.request("/api/v1/leagues", {
      headers: { origin: "https://evil.example" },
    });
    assert.equal(bad.headers.get("access-control-allow-origin"), null);
    await bad.body?.cancel();
    const pre = await t.app.request("/api/v1/predictions", {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "https://app.example");
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
  } finally {
    await t.close();
  }
});

Deno.test("GET /api/v1/leagues and /teams: discover valid input", async () => {
  const t = await createTestApp();
  try {
    const leagues = await (await t.app.request("/api/v1/leagues")).json();
    assert.equal(leagues.leagues.length, 8);
    const epl = leagues.leagues.find((l: { key: string }) => l.key === "england-premier-league");
    assert.equal(epl.available, true);
    assert.ok(epl.aliases.includes("epl"));
    assert.equal(
      leagues.leagues.find((l: { key: string }) => l.key === "egypt-premier-league").available,
      false,
    );

    const res = await t.app.request("/api/v1/leagues/EPL/teams");
    assert.equal(res.status, 200);
    const teams = await res.json();
    assert.equal(teams.league, "england-premier-league");
    const mu = teams.teams.find((x: { name: string }) => x.name === "Manchester United");
    assert.ok(mu.aliases.includes("Man United"));

    const unknown = await t.app.request("/api/v1/leagues/premier-leag/teams");
    assert.equal(unknown.status, 422, "the same answer as an unknown league in a prediction");
    const { error } = await unknown.json();
    assert.equal(error.code, "unknown_league");
    assert.equal(error.details[0].path, "league");
    assert.equal(error.details[0].league, "premier-leag");
    assert.ok(error.details[0].suggestions.includes("england-premier-league"));

    const notServed = await t.app.request("/api/v1/leagues/egypt/teams");
    assert.equal(notServed.status, 422, "a known league without a model is the engine's 422");
    await notServed.body?.cancel();

    const weird = await t.app.request("/api/v1/leagues/%25%25/teams");
    assert.equal(weird.status, 422);
    assert.equal((await weird.json()).error.code, "unknown_league");
  } finally {
    await t.close();
  }
});

Deno.test("GET /metrics: Prometheus text with route templates, cache and model gauges", async () => {
  const t = await createTestApp();
  try {
    const body = JSON.stringify({ league: "epl", home_team: "Arsenal", away_team: "Burnley" });
    const init = { method: "POST", headers: { "content-type": "application/json" }, body };
    // Computed twice (a request enters the cache at its second miss), then served from the cache.
    for (let i = 0; i < 3; i++) {
      await (await t.app.request("/api/v1/predictions", init)).body?.cancel();
    }
    await (await t.app.request("/api/v1/leagues/epl/teams")).body?.cancel();
    const res = await t.app.request("/metrics");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
    const text = await res.text();
    assert.match(
      text,
      /sabiscore_http_requests_total\{method="POST",route="\/api\/v1\/predictions",status="200"\} 3/,
    );
    assert.match(text, /route="\/api\/v1\/leagues\/:league\/teams"/, "templates, not raw paths");
    assert.match(text, /sabiscore_http_request_duration_seconds_bucket\{le="0.005",method="POST"/);
    assert.match(text, /sabiscore_prediction_cache_hits_total 1/);
    assert.match(text, /sabiscore_prediction_cache_misses_total 2/);
    assert.match(text, /sabiscore_prediction_cache_errors_total 0/);
    assert.match(
      text,
      /sabiscore_predictions_total\{league="england-premier-league",source="cache"\} 1/,
    );
    assert.match(text, /sabiscore_model_cache_size 2/);
    assert.match(text, /sabiscore_prediction_cache_entries 1/);
    assert.match(text, /sabiscore_process_memory_bytes\{type="rss"\} [1-9]/);
  } finally {
    await t.close();
  }
});

Deno.test("GET /openapi.json and /docs: generated from the schemas, offline", async () => {
  const t = await createTestApp();
  try {
    const doc = await (await t.app.request("/openapi.json")).json();
    assert.equal(doc.openapi, "3.1.0");
    const req = doc.components.schemas.PredictionRequest;
    assert.deepEqual(req.required.sort(), ["away_team", "home_team", "league"]);
    assert.equal(doc.components.schemas.RequestOdds.properties.home.exclusiveMinimum, 1);
    assert.ok(doc.paths["/api/v1/predictions"].post.responses["422"]);
    assert.ok(!JSON.stringify(doc).includes("#/$defs/"), "every reference resolves to components");
    // Every API route file (and the WebSocket) is in the document.
    const routeFiles: string[] = [];
    const walk = async (dir: URL, prefix: string) => {
      for await (const e of Deno.readDir(dir)) {
        if (e.isDirectory) await walk(new URL(`${e.name}/`, dir), `${prefix}/${e.name}`);
        else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
          const name = e.name.slice(0, -3);
          routeFiles.push(name === "index" ? prefix : `${prefix}/${name}`);
        }
      }
    };
    await walk(new URL("../../routes/api/", import.meta.url), "/api");
    const documented = routeFiles.map((f) => f.replace(/\[(\w+)\]/g, "{$1}")).concat("/ws");
    assert.ok(documented.length >= 10, documented.join(", "));
    for (const path of documented) assert.ok(doc.paths[path], `${path} is not documented`);
    // Query parameters come from the routes' zod schemas, with their descriptions.
    const vb = doc.paths["/api/v1/value-bets"].get.parameters;
    assert.deepEqual(vb.map((p: { name: string }) => p.name), [
      "league",
      "min_edge",
      "min_odds",
      "max_odds",
      "limit",
    ]);
    assert.ok(vb.every((p: { description?: string }) => p.description));
    assert.deepEqual(
      doc.paths["/api/v1/matches/upcoming"].get.parameters.map((p: { name: string }) => p.name),
      ["league", "limit", "include"],
    );
    assert.deepEqual(doc.components.schemas.ClientError.required.sort(), [
      "kind",
      "message",
      "url",
    ]);

    const res = await t.app.request("/docs");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /POST<\/span> <code>\/api\/v1\/predictions/);
    assert.match(html, /<form id="try-form"/);
    assert.match(html, /<script type="module" src="\/docs.js"><\/script>/);
    assert.doesNotMatch(
      html,
      /<script>|<script type="module">|https?:\/\/(?!example)/,
      "no inline script, no CDN",
    );
  } finally {
    await t.close();
  }
});
