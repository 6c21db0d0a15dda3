/**
 * Error answers reveal nothing about the server: whatever a failure carries (a message naming a
 * file, a stack, a configuration or environment value), the client gets the one error shape
 * with a request id, and the details go to the log only.
 * @module
 */
import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { createTestApp, loadRouteFiles, SERVICE_ROUTE_FILES } from "../testing/test_app.ts";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import config from "../../fresh.config.ts";
import { buildClient } from "../web/build.ts";
import { createWebLayer } from "../web/web_layer.ts";
import type { PredictionEngine } from "../domain/prediction.ts";
import type { RouteEntry } from "../web/router.ts";

const SECRET = "s3cr3t-token-9f1c2b";
const MODEL_BASE_URL = `https://reader:${SECRET}@models.internal.test/sabiscore/`;
const HOME = Deno.env.get("HOME") ?? "/root";
const PATH = Deno.env.get("PATH") ?? "/usr/bin";

/** What a failure deep inside might say: a file, the configuration, the environment. */
function leakyError(): Error {
  const e = new Error(
    `Cannot open ${Deno.cwd()}/models/epl/model.onnx from ${MODEL_BASE_URL} (HOME=${HOME}, PATH=${PATH})`,
  );
  e.cause = new Error(`ENOENT: ${import.meta.filename}`);
  return e;
}

/** An engine that fails with {@link leakyError} when asked for a prediction or teams. */
function failingEngine(): PredictionEngine {
  const base = createMemoryEngine();
  return {
    leagues: () => base.leagues(),
    status: () => base.status(),
    teams: () => Promise.reject(leakyError()),
    predict: () => Promise.reject(leakyError()),
  };
}

const throwing = (file: string, pattern: string, thrown: () => unknown): RouteEntry => ({
  file,
  pattern,
  module: {
    handler: {
      GET: () => {
        throw thrown();
      },
    },
  },
});

const leakyPage: RouteEntry = {
  file: "leaky.tsx",
  pattern: "/leaky",
  module: {
    default: () => null,
    load: () => Promise.reject(leakyError()),
  } as unknown as RouteEntry["module"],
};

function assertNoInternals(body: string, what: string): void {
  const leaks: [string, RegExp | string][] = [
    ["the secret", SECRET],
    ["the model store URL", "models.internal.test"],
    ["the working directory", Deno.cwd()],
    ["HOME", `HOME=`],
    ["PATH", PATH],
    ["a source file", /\.(ts|tsx|js):\d+|file:\/\//],
    ["a stack frame", /\n\s+at |\bat [\w.<>]+ \(/],
    ["an error class", /\b(Error|ENOENT|TypeError):/],
  ];
  for (const [name, leak] of leaks) {
    const found = typeof leak === "string" ? body.includes(leak) : leak.test(body);
    assert.ok(!found, `${what} reveals ${name}: ${body}`);
  }
}

Deno.test({
  name: "error answers: no stack, file path, configuration or environment value reaches the client",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await createTestApp({
      engine: failingEngine(),
      env: { MODEL_BASE_URL, ENABLE_RATE_LIMITING: "false" },
    });
    try {
      const routes = [
        ...await loadRouteFiles(SERVICE_ROUTE_FILES),
        throwing("boom.ts", "/api/v1/boom", leakyError),
        throwing("boom_string.ts", "/api/v1/boom-string", () => `${SECRET} at ${Deno.cwd()}`),
        throwing("boom_object.ts", "/api/v1/boom-object", () => ({ stack: PATH, secret: SECRET })),
        leakyPage,
      ];
      const web = await createWebLayer({ build: await buildClient(config) });
      const app = await createApp(t.services, { routes, web });
      const json = { "content-type": "application/json" };
      const cases: [string, RequestInit][] = [
        ["/api/v1/boom", {}],
        ["/api/v1/boom-string", {}],
        ["/api/v1/boom-object", {}],
        ["/leaky", { headers: { accept: "text/html" } }],
        ["/api/v1/leagues/england-premier-league/teams", {}],
        [
          "/api/v1/predictions",
          {
            method: "POST",
            headers: json,
            body: JSON.stringify({
              league: "england-premier-league",
              home_team: "Arsenal",
              away_team: "Chelsea",
            }),
          },
        ],
      ];
      for (const [path, init] of cases) {
        const res = await app.request(path, init);
        const body = await res.text();
        assert.ok(res.status >= 500, `${path}: a server failure, got ${res.status}`);
        assertNoInternals(body, path);
        for (const [name, value] of res.headers) assertNoInternals(value, `${path} header ${name}`);
        assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
        if (init.headers && "accept" in init.headers) {
          // A page's failure is a page: the same status and request id, as HTML.
          assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8", path);
          assert.ok(body.includes(res.headers.get("x-request-id")!), path);
          continue;
        }
        const parsed = JSON.parse(body);
        assert.deepEqual(Object.keys(parsed), ["error"], path);
        assert.equal(typeof parsed.error.code, "string", path);
        assert.equal(parsed.error.request_id, res.headers.get("x-request-id"), path);
      }
      // The details are not lost: the log has them, under the request id.
      assert.ok(t.logger.lines.some((l) => JSON.stringify(l).includes("models/epl/model.onnx")));
    } finally {
      await t.close();
    }
  },
});
