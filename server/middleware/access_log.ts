/**
 * One structured log line per request: request id, method, path (no query), route, status and
 * duration. Requests are logged at info, 5xx at error (the error handler logs the cause).
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import type { Logger } from "../ops/logger.ts";
import { routeTemplate } from "./route_template.ts";

/** Options of {@link accessLog}. */
export interface AccessLogOptions {
  /** Clock in milliseconds. @default performance.now */
  now?: () => number;
}

/** Creates the access-log middleware. */
export function accessLog(
  logger: Logger,
  options: AccessLogOptions = {},
): MiddlewareHandler<AppEnv> {
  const now = options.now ?? (() => performance.now());
  return async function accessLog(c: Context<AppEnv>, next: Next) {
    const start = now();
    await next();
    const status = c.res.status;
    const level = status >= 500 ? "error" : "info";
    if (!logger.enabled(level)) return;
    logger[level]("request", {
      request_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      route: routeTemplate(c),
      status,
      duration_ms: Math.round((now() - start) * 1000) / 1000,
    });
  };
}
