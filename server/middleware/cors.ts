/**
 * CORS for an allow-list of origins (`CORS_ORIGINS`). Origins not on the list get no CORS
 * headers, so browsers keep them out; `*` allows any origin (without credentials).
 *
 * Not Hono's `hono/cors`: it writes its fields into `c.res` before `next()`, which makes Hono
 * copy every answer a handler returns (the copy `server/http/json_answer.ts` avoids). A JSON
 * answer through it took 10-15 µs against 3-4 µs through this one (`deno bench -A
 * bench/middleware_bench.ts`, 2-core machine). It also answers every OPTIONS request as a
 * preflight, where this one passes non-preflight OPTIONS on to the routes.
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import { setHeader } from "./set_header.ts";

/** Options of {@link cors}. */
export interface CorsOptions {
  /** Allowed origins (exact, e.g. `https://app.example.com`) or `*`. @default [] */
  origins?: readonly string[];
  /** Methods allowed in preflight answers. @default ["GET", "POST", "OPTIONS"] */
  methods?: readonly string[];
  /** Request headers allowed. @default ["Content-Type", "X-Request-Id"] */
  allowHeaders?: readonly string[];
  /** Response headers scripts may read. @default request id, rate-limit and retry headers */
  exposeHeaders?: readonly string[];
  /** How long browsers may cache a preflight answer, in seconds. @default 600 */
  maxAgeSeconds?: number;
}

/** Creates the CORS middleware. */
export function cors(options: CorsOptions = {}): MiddlewareHandler<AppEnv> {
  const origins = new Set(options.origins ?? []);
  const any = origins.has("*");
  const methods = (options.methods ?? ["GET", "POST", "OPTIONS"]).join(", ");
  const allowHeaders = (options.allowHeaders ?? ["Content-Type", "X-Request-Id"]).join(", ");
  const expose = (options.exposeHeaders ??
    ["X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After", "X-Cache"]).join(", ");
  const maxAge = String(options.maxAgeSeconds ?? 600);

  function allowed(origin: string | undefined): string | null {
    if (origin === undefined) return null;
    if (any) return "*";
    return origins.has(origin) ? origin : null;
  }

  return async function cors(c: Context<AppEnv>, next: Next) {
    const origin = c.req.header("origin");
    const allow = allowed(origin);
    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
      const headers: Record<string, string> = { Vary: "Origin" };
      if (allow) {
        headers["Access-Control-Allow-Origin"] = allow;
        headers["Access-Control-Allow-Methods"] = methods;
        headers["Access-Control-Allow-Headers"] = allowHeaders;
        headers["Access-Control-Max-Age"] = maxAge;
      }
      return c.body(null, 204, headers);
    }
    await next();
    if (origins.size === 0) return;
    setHeader(c, "Vary", "Origin");
    if (allow) {
      setHeader(c, "Access-Control-Allow-Origin", allow);
      setHeader(c, "Access-Control-Expose-Headers", expose);
    }
  };
}
