/**
 * The one place errors become responses: `{ error: { code, message, request_id, details?,
 * retry_after_seconds? } }`. Unknown errors are logged once with the request id and answered
 * with a 500 that reveals nothing about internals.
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { AppEnv } from "./app_env.ts";
import { RedisUnavailableError } from "../fleet/redis_unavailable.ts";
import { defaultErrorCode, HttpError, REDIS_UNAVAILABLE, redisUnavailableError } from "./errors.ts";
import { fieldErrors } from "./schemas.ts";

/** The JSON error body. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    request_id: string;
    details?: unknown;
    retry_after_seconds?: number;
  };
}

/** Seconds a client should wait after a 503 that did not say (e.g. a model still loading). */
const DEFAULT_RETRY_AFTER_503 = "5";

function respond(c: Context<AppEnv>, e: HttpError, requestId: string): Response {
  const body: ErrorBody = { error: { code: e.code, message: e.message, request_id: requestId } };
  if (e.details !== undefined) body.error.details = e.details;
  const headers: Record<string, string> = { ...e.headers, "Cache-Control": "no-store" };
  if (e.status === 503 && headers["Retry-After"] === undefined) {
    headers["Retry-After"] = DEFAULT_RETRY_AFTER_503;
  }
  const retry = headers["Retry-After"];
  if (retry !== undefined && Number.isFinite(Number(retry))) {
    body.error.retry_after_seconds = Number(retry);
  }
  // A page asked for by a browser gets the same failure as a page, not as JSON.
  const page = c.get("errorPage");
  if (page) return page(e, requestId, headers);
  return c.json(body, e.status as ContentfulStatusCode, headers);
}

/** Turns an HttpError-like failure from Hono itself into an HttpError. */
function fromHonoException(err: HTTPException): HttpError {
  const status = err.status >= 400 && err.status <= 599 ? err.status : 500;
  const message = status < 500 && err.message
    ? err.message
    : defaultErrorCode(status).replace(/_/g, " ");
  return new HttpError(status, message.charAt(0).toUpperCase() + message.slice(1), { cause: err });
}

/** The `app.onError` handler. */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  const requestId = c.get("requestId") ?? "unknown";
  const logger = c.get("services")?.logger;
  let e: HttpError;
  if (err instanceof HttpError) {
    e = err;
  } else if (err instanceof z.ZodError) {
    e = new HttpError(422, "Request is invalid", {
      code: "validation_failed",
      details: fieldErrors(err),
    });
  } else if (err instanceof HTTPException) {
    e = fromHonoException(err);
  } else if (err instanceof RedisUnavailableError) {
    // A route whose data lives only in the fleet's Redis: the client retries shortly.
    e = redisUnavailableError(err);
  } else {
    logger?.error("Unhandled error", {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      error: err,
    });
    e = new HttpError(500, `Internal server error (request id ${requestId})`, {
      code: "internal_error",
    });
    return respond(c, e, requestId);
  }
  // A Redis outage is logged once by the Redis client when it starts, not once per request.
  if (e.status >= 500 && e.code !== REDIS_UNAVAILABLE) {
    logger?.warn(e.message, {
      request_id: requestId,
      code: e.code,
      status: e.status,
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    });
  }
  return respond(c, e, requestId);
}

/** The `app.notFound` handler for API clients. */
export function notFoundJson(c: Context<AppEnv>): Response {
  const requestId = c.get("requestId") ?? "unknown";
  return respond(
    c,
    new HttpError(404, `No route for ${c.req.method} "${c.req.path.slice(0, 200)}"`),
    requestId,
  );
}
