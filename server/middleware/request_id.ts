/**
 * Gives every request an id (the client's `X-Request-Id` if it is sane, else a random UUID),
 * stores it as `requestId` and returns it in the `X-Request-Id` response header.
 *
 * Not Hono's `hono/request-id`: it sets the field before `next()`, into headers Hono copies only
 * onto answers made with `c.json()`/`c.body()`. The API's answers are plain `Response`s
 * (`server/http/json_answer.ts`, for speed), so with it `/health/live` and every prediction
 * came back without `X-Request-Id` (`server/middleware/request_id_test.ts`).
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import { setHeader } from "./set_header.ts";

const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Options of {@link requestId}. */
export interface RequestIdOptions {
  /** Header read and written. @default "X-Request-Id" */
  header?: string;
  /** Makes a new id. @default crypto.randomUUID */
  generate?: () => string;
}

/** Creates the request-id middleware. */
export function requestId(options: RequestIdOptions = {}): MiddlewareHandler<AppEnv> {
  const header = options.header ?? "X-Request-Id";
  const generate = options.generate ?? (() => crypto.randomUUID());
  return async function requestId(c: Context<AppEnv>, next: Next) {
    const incoming = c.req.header(header);
    const id = incoming !== undefined && SANE_ID.test(incoming) ? incoming : generate();
    c.set("requestId", id);
    await next();
    setHeader(c, header, id);
  };
}
