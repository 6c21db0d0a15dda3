import assert from "node:assert/strict";
import { createMemoryEngine } from "../../../server/predict/memory_engine.ts";
import { createTestApp } from "../../../server/testing/test_app.ts";

const BODY = {
  league: "england-premier-league",
  home_team: "Man United",
  away_team: "Liverpool",
  odds: { home: 2.6, draw: 3.4, away: 2.7 },
};

function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

/**
 * Every computed prediction enters the cache: the second request is a hit. The clock stands
 * still, so a request without kick-off gets the same one each time.
 */
const ADMIT_ALL = { env: { CACHE_ADMISSION: "all" }, now: () => Date.UTC(2026, 11, 5, 15) };

Deno.test("POST /api/v1/predictions: a valid request gets a full prediction", async () => {
  const t = await createTestApp(ADMIT_ALL);
  try {
    const res = await t.app.request("/api/v1/predictions", post(BODY));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-cache"), "MISS");
    assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const p = await res.json();
    assert.equal(p.home_team, "Manchester United", "aliases are canonicalised");
    const sum = p.probabilities.home_win + p.probabilities.draw + p.probabilities.away_win;
    assert.ok(Math.abs(sum - 1) < 1e-5);
    assert.ok(p.expected_goals.home > 0 && p.expected_goals.away > 0);
    assert.ok(p.markets.over_under_2_5.over > 0 && p.markets.btts.yes > 0);
    assert.ok(p.markets.correct_scores.length > 0);
    assert.ok(p.fair_odds.home > 1);
    assert.ok(Array.isArray(p.value_bets));
    for (const v of p.value_bets) {
      for (const k of ["market", "selection", "odds", "probability", "edge", "kelly_fraction"]) {
        assert.ok(k in v, `value bet has ${k}`);
      }
    }
    assert.equal(typeof p.model.version, "string");
    assert.equal(typeof p.model.trained_until, "string");

    const again = await t.app.request(
      "/api/v1/predictions",
      post({ ...BODY, home_team: "Manchester United" }),
    );
    assert.equal(again.headers.get("x-cache"), "HIT", "an alias shares the cache entry");
    assert.deepEqual(await again.json(), p);
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/v1/predictions: by default a request is cached from its second miss", async () => {
  const t = await createTestApp();
  try {
    assert.equal(t.services.config.cacheAdmission, "repeated");
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.app.request("/api/v1/predictions", post(BODY));
      assert.equal(res.status, 200);
      seen.push(res.headers.get("x-cache") ?? "");
      await res.body?.cancel();
    }
    assert.deepEqual(seen, ["MISS", "MISS", "HIT"]);
    // One-off requests (other odds each time) are computed and answered, but never cached.
    for (let i = 0; i < 20; i++) {
      const res = await t.app.request(
        "/api/v1/predictions",
        post({ ...BODY, odds: { home: 2 + i / 100, draw: 3.4, away: 2.7 } }),
      );
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-cache"), "MISS");
      await res.body?.cancel();
    }
    assert.equal(t.services.predictions.cacheSize, 1, "only the repeated request is cached");
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/v1/predictions: score_matrix only with ?include=score_matrix", async () => {
  const t = await createTestApp(ADMIT_ALL);
  try {
    const plain = await t.app.request("/api/v1/predictions", post(BODY));
    assert.equal(plain.status, 200);
    const p = await plain.json();
    assert.equal("score_matrix" in p, false, "left out by default");
    for (const cached of [false, true]) {
      const res = await t.app.request("/api/v1/predictions?include=score_matrix", post(BODY));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-cache"), "HIT", "the same cache entry serves both forms");
      const full = await res.json();
      const { score_matrix: matrix, ...rest } = full;
      assert.deepEqual(rest, p, `${cached ? "cached" : "first"} full answer = plain + matrix`);
      assert.equal(matrix.length, 11);
      const mass = matrix.flat().reduce((a: number, b: number) => a + b, 0);
      assert.ok(Math.abs(mass - 1) < 1e-3, `cells sum to ~1: ${mass}`);
    }
    const bad = await t.app.request("/api/v1/predictions?include=score_matrix,teams", post(BODY));
    assert.equal(bad.status, 422);
    const { error } = await bad.json();
    assert.equal(error.code, "validation_failed");
    assert.equal(error.details[0].path, "include");
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/v1/predictions: a repeated body is served, validated, counted each time", async () => {
  const t = await createTestApp(ADMIT_ALL);
  try {
    const text = JSON.stringify({ ...BODY, away_team: "Arsenal" });
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.app.request("/api/v1/predictions", post(text));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-cache"), i === 0 ? "MISS" : "HIT");
      assert.ok(res.headers.get("ratelimit"), "rate limited like any request");
      answers.push(await res.text());
    }
    assert.ok(answers.every((a) => a === answers[0]));
    const invalid = JSON.stringify({ ...BODY, odds: { home: 0.5, draw: 3, away: 3 } });
    for (let i = 0; i < 2; i++) {
      const res = await t.app.request("/api/v1/predictions", post(invalid));
      assert.equal(res.status, 422, "an invalid body stays invalid when repeated");
      await res.body?.cancel();
    }
    const metrics = await (await t.app.request("/metrics")).text();
    assert.match(metrics, /sabiscore_prediction_cache_hits_total 3\b/);
    assert.match(
      metrics,
      /sabiscore_http_requests_total\{method="POST",route="\/api\/v1\/predictions",status="200"\} 4\b/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/v1/predictions: invalid fields are a 422 listing each field", async () => {
  const t = await createTestApp();
  try {
    const res = await t.app.request(
      "/api/v1/predictions",
      post({ league: "", home_team: 7, odds: { home: 0.5, draw: "x" } }),
    );
    assert.equal(res.status, 422);
    const { error } = await res.json();
    assert.equal(error.code, "validation_failed");
    assert.equal(error.request_id, res.headers.get("x-request-id"));
    const paths = error.details.map((d: { path: string }) => d.path).sort();
    for (const p of ["league", "home_team", "away_team", "odds.home", "odds.draw", "odds.away"]) {
      assert.ok(paths.includes(p), `details name ${p}: ${paths}`);
    }
    for (const d of error.details) assert.equal(typeof d.message, "string");
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/v1/predictions: an unknown team is a 422 with the closest names", async () => {
  const t = await createTestApp();
  try {
    const res = await t.app.request(
      "/api/v1/predictions",
      post({ ...BODY, away_team: "Liverpol" }),
    );
    assert.equal(res.status, 422);
    const { error } = await res.json();
    assert.equal(error.code, "unknown_team");
    assert.equal(error.details[0].path, "away_team");
    assert.equal(error.details[0].team, "Liverpol");
    assert.ok(error.details[0].suggestions.includes("Liverpool"));
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/v1/predictions: malformed JSON is a 400, not a 500", async (t) => {
  const app = await createTestApp();
  try {
    for (const body of ["{", '{"league":', "nul", "[1,2", "\u0000", " "]) {
      await t.step(JSON.stringify(body), async () => {
        const res = await app.app.request("/api/v1/predictions", post(body));
        assert.equal(res.status, 400);
        const { error } = await res.json();
        assert.match(error.code, /^malformed_/);
      });
    }
    await t.step("invalid UTF-8", async () => {
      const res = await app.app.request("/api/v1/predictions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      });
      assert.equal(res.status, 400);
      await res.body?.cancel();
    });
    await t.step("non-JSON content type is a 415", async () => {
      const res = await app.app.request("/api/v1/predictions", {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: JSON.stringify(BODY),
      });
      assert.equal(res.status, 415);
      await res.body?.cancel();
    });
  } finally {
    await app.close();
  }
});

Deno.test("POST /api/v1/predictions: an oversized body is a 413", async (t) => {
  const app = await createTestApp({ env: { MAX_BODY_BYTES: "1024" } });
  try {
    const big = JSON.stringify({ ...BODY, padding: "x".repeat(2000) });
    await t.step("with Content-Length", async () => {
      const req = new Request(
        "http://localhost/api/v1/predictions",
        post(big, {
          "content-length": String(big.length),
        }),
      );
      assert.equal(req.headers.get("content-length"), String(big.length));
      const res = await app.app.request(req);
      assert.equal(res.status, 413);
      assert.equal((await res.json()).error.code, "payload_too_large");
    });
    await t.step("streamed without Content-Length", async () => {
      const bytes = new TextEncoder().encode(big);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 256) controller.enqueue(bytes.slice(i, i + 256));
          controller.close();
        },
      });
      const res = await app.app.request("/api/v1/predictions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: stream,
      });
      assert.equal(res.status, 413);
      await res.body?.cancel();
    });
    await t.step("a streamed body under the limit still works", async () => {
      const bytes = new TextEncoder().encode(JSON.stringify(BODY));
      const res = await app.app.request("/api/v1/predictions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes);
            controller.close();
          },
        }),
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    });
  } finally {
    await app.close();
  }
});

Deno.test("POST /api/v1/predictions: models not loaded is a 503 with Retry-After", async () => {
  const engine = createMemoryEngine({ ready: false });
  const t = await createTestApp({ engine });
  try {
    const res = await t.app.request("/api/v1/predictions", post(BODY));
    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get("retry-after")) > 0);
    const { error } = await res.json();
    assert.equal(error.code, "model_not_loaded");
    assert.equal(error.retry_after_seconds, Number(res.headers.get("retry-after")));
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/v1/predictions: memory pressure is a 503", async () => {
  const t = await createTestApp({
    env: { MEMORY_LIMIT_MB: "64" },
    memoryUsage: () => 65 * 2 ** 20,
  });
  try {
    const res = await t.app.request("/api/v1/predictions", post(BODY));
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, "memory_pressure");
    assert.ok(res.headers.get("retry-after"));
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/v1/predictions: a prediction past the timeout is a 504", async () => {
  const engine = createMemoryEngine({ delayMs: 60_000 });
  const t = await createTestApp({ engine, env: { PREDICTION_TIMEOUT_MS: "25" } });
  try {
    const started = performance.now();
    const res = await t.app.request("/api/v1/predictions", post(BODY));
    assert.equal(res.status, 504);
    assert.ok(performance.now() - started < 5_000);
    const { error } = await res.json();
    assert.equal(error.code, "prediction_timeout");
    assert.equal(engine.calls, 0, "the engine call was aborted");
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/v1/predictions: refuses absurd kick-offs, unknown fields and no Content-Type", async (t) => {
  const app = await createTestApp();
  try {
    await t.step("a kick-off in 1900 is a 422 naming kickoff", async () => {
      const res = await app.app.request(
        "/api/v1/predictions",
        post({ ...BODY, kickoff: "1900-01-01T00:00:00Z" }),
      );
      assert.equal(res.status, 422);
      const { error } = await res.json();
      assert.equal(error.code, "validation_failed");
      assert.equal(error.details[0].path, "kickoff");
    });
    await t.step("an unknown body field is a 422 naming it", async () => {
      for (
        const [body, path] of [
          [{ ...BODY, kick_off: "2026-12-05T15:00:00Z" }, "kick_off"],
          [{ ...BODY, odds: { home: 2, draw: 3, away: 4, over25: 2 } }, "odds.over25"],
        ] as const
      ) {
        const res = await app.app.request("/api/v1/predictions", post(body));
        assert.equal(res.status, 422);
        const { error } = await res.json();
        assert.equal(error.code, "validation_failed");
        assert.deepEqual(error.details, [{ path, message: "Unknown field" }]);
      }
    });
    await t.step("a body without Content-Type is a 415", async () => {
      const res = await app.app.request("/api/v1/predictions", {
        method: "POST",
        body: new TextEncoder().encode(JSON.stringify(BODY)),
      });
      assert.equal(res.status, 415);
      assert.equal((await res.json()).error.code, "unsupported_media_type");
    });
  } finally {
    await app.close();
  }
});
