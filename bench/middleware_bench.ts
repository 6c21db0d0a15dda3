/**
 * `deno bench -A bench/middleware_bench.ts`: the app's CORS middleware against Hono's, and what
 * the compression middleware costs a client that sends no `Accept-Encoding`, on a Hono app whose
 * handler answers like the API does (`jsonTextAnswer`, a plain `Response` the middleware adds
 * fields to afterwards). The CORS figure is quoted in `server/middleware/cors.ts`.
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";
import type { AppEnv } from "../server/http/app_env.ts";
import { jsonTextAnswer } from "../server/http/json_answer.ts";
import { compress } from "../server/middleware/compress.ts";
import { cors } from "../server/middleware/cors.ts";
import { requestId } from "../server/middleware/request_id.ts";
import { securityHeaders } from "../server/middleware/security_headers.ts";

const BODY = '{"status":"ok"}';
const ORIGINS = ["https://app.example"];
const REQUEST = new Request("http://localhost/health/live", {
  headers: { origin: ORIGINS[0] },
});

// The size of a cached prediction answer.
const PREDICTION = JSON.stringify({ probabilities: Array.from({ length: 60 }, (_, i) => i / 61) })
  .padEnd(2500, " ");
const PLAIN_POST = new Request("http://localhost/prediction", { method: "POST" });

function appWith(...middleware: MiddlewareHandler<AppEnv>[]): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const m of middleware) app.use("*", m);
  app.get("/health/live", () => jsonTextAnswer(BODY));
  app.post("/prediction", () => jsonTextAnswer(PREDICTION));
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

const compressVariants: [string, Hono<AppEnv>][] = [
  // Behind the fields every answer gets, as in the app: the first field set costs the most.
  ["no Accept-Encoding: without compress", appWith(requestId(), securityHeaders())],
  ["no Accept-Encoding: with compress", appWith(requestId(), securityHeaders(), compress())],
];
for (const [name, app] of compressVariants) {
  Deno.bench(name, { group: "compress" }, async () => {
    const res = await app.fetch(PLAIN_POST);
    await res.arrayBuffer();
  });
}
