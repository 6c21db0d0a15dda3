/**
 * Refuses request bodies larger than a limit with 413 before a handler reads them, by Hono's
 * `bodyLimit`: by `Content-Length` when present, else by counting the streamed bytes.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import type { AppEnv } from "../http/app_env.ts";
import { HttpError } from "../http/errors.ts";

/** Options of {@link bodyLimit}. */
export interface BodyLimitOptions {
  /** Largest accepted body in bytes. @default 16384 */
  maxBytes?: number;
}

/** Creates the body-limit middleware; an oversized body is an `HttpError` 413. */
export function bodyLimit(options: BodyLimitOptions = {}): MiddlewareHandler<AppEnv> {
  const maxBytes = options.maxBytes ?? 16_384;
  return honoBodyLimit({
    maxSize: maxBytes,
    onError() {
      throw new HttpError(413, `Request body is larger than ${maxBytes} bytes`, {
        code: "payload_too_large",
      });
    },
  });
}
