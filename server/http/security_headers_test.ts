import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { createTestApp, loadRouteFiles, SERVICE_ROUTE_FILES } from "../testing/test_app.ts";
import config from "../../fresh.config.ts";
import { buildClient } from "../web/build.ts";
import { createWebLayer } from "../web/web_layer.ts";
import type { RouteEntry } from "../web/router.ts";

const build = await buildClient(config);

function assertSecurityHeaders(res: Response, what: string): void {
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
  assert.equal(res.headers.get("x-frame-options"), "DENY", what);
  assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin", what);
  assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/, what);
  assert.equal(res.headers.get("x-request-id")?.length, 36, what);
}

Deno.test("security headers: on HTML, JSON, static, 404, 405, 413, 429 and 500 answers", async () => {
  const t = await createTestApp({ env: { RATE_LIMIT_REQUESTS: "3", MAX_BODY_BYTES: "256" } });
  try {
    const boom: RouteEntry = {
      file: "boom.ts",
      pattern: "/api/v1/boom",
      module: {
        handler: {
          GET: () => {
            throw new Error("at /srv/app/secret.ts");
          },
        },
      },
    };
    const routes = [...await loadRouteFiles([...SERVICE_ROUTE_FILES, "index.tsx"]), boom];
    const web = await createWebLayer({ build });
    const app = await createApp(t.services, { routes, web });
    const html = { accept: "text/html" };
    const cases: [string, RequestInit, number][] = [
      ["/", { headers: html }, 200],
      ["/health/live", {}, 200],
      ["/styles.css", {}, 200],
      [`/_fresh/${build.buildId}/${[...build.files.keys()][0]}`, {}, 200],
      ["/no/such/page", { headers: html }, 404],
      ["/api/v1/nothing", {}, 404],
      ["/health/live", { method: "POST" }, 405],
      ["/api/v1/predictions", { method: "POST", body: "x".repeat(1000) }, 413],
      ["/api/v1/boom", {}, 500],
    ];
    for (const [path, init, status] of cases) {
      const res = await app.request(path, init);
      const text = await res.text();
      assert.equal(res.status, status, `${init.method ?? "GET"} ${path}`);
      assertSecurityHeaders(res, `${status} ${path}`);
      if (status === 500) assert.doesNotMatch(text, /secret|\/srv\/|\.ts|at /, "no internals");
    }
    let limited: Response | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const res = await app.request("/api/v1/leagues");
      await res.body?.cancel();
      if (res.status === 429) limited = res;
    }
    assert.ok(limited, "the rate limit answers 429");
    assertSecurityHeaders(limited, "429");
  } finally {
    await t.close();
  }
});
