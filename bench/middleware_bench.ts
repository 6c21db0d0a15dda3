/**
 * `deno bench -A bench/middleware_bench.ts`: the app's CORS middleware against Hono's, on a Hono
 * app whose handler answers like the API does (`jsonTextAnswer`, a plain `Response` the
 * middleware adds fields to afterwards). The figure is quoted in `server/middleware/cors.ts`.
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";
import type { AppEnv } from "../server/http/app_env.ts";
import { jsonTextAnswer } from "../server/http/json_answer.ts";
import { cors } from "../server/middleware/cors.ts";

const BODY = '{"status":"ok"}';
const ORIGINS = ["https://app.example"];
const REQUEST = new Request("http://localhost/health/live", {
  headers: { origin: ORIGINS[0] },
});

function appWith(middleware: MiddlewareHandler<AppEnv>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", middleware);
  app.get("/health/live", () => jsonTextAnswer(BODY));
  return app;
}

const variants: [string, Hono<AppEnv>][] = [
  ["cors: server/middleware/cors.ts", appWith(cors({ origins: ORIGINS }))],
  [
    "cors: hono/cors",
    appWith(honoCors({
      origin: (origin) => ORIGINS.includes(origin) ? origin : null,
      exposeHeaders: ["X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After", "X-Cache"],
    })),
  ],
];

for (const [name, app] of variants) {
  Deno.bench(name, { group: "cors" }, async () => {
    const res = await app.fetch(REQUEST);
    await res.arrayBuffer();
  });
}
