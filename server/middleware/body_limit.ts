/**
 * Refuses request bodies larger than a limit with 413, before a handler reads them: by
 * `Content-Length` when present, else by counting the streamed bytes.
 * Ours rather than `hono/body-limit`: Hono's reads `c.req.raw.body` on every request, which makes
 * Deno build the request's body stream before the route asks for it; with it a cached prediction
 * cost 66-67 µs of server CPU against 49-58 µs with this one (`deno task bench http`, A/B on one
 * machine, docs/BENCHMARKS.md).
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import { HttpError } from "../http/errors.ts";

/** Options of {@link bodyLimit}. */
export interface BodyLimitOptions {
  /** Largest accepted body in bytes. @default 16384 */
  maxBytes?: number;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `Request body is larger than ${maxBytes} bytes`, {
    code: "payload_too_large",
  });
}

/** Creates the body-limit middleware. */
export function bodyLimit(options: BodyLimitOptions = {}): MiddlewareHandler<AppEnv> {
  const maxBytes = options.maxBytes ?? 16_384;
  return async function bodyLimit(c: Context<AppEnv>, next: Next) {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
    const length = c.req.header("content-length");
    if (length !== undefined) {
      const n = Number(length);
      if (!Number.isFinite(n) || n < 0) {
        throw new HttpError(400, `Invalid Content-Length "${length}"`, { code: "bad_request" });
      }
      if (n > maxBytes) throw tooLarge(maxBytes);
      return next();
    }
    const body = c.req.raw.body;
    if (!body) return next();
    // No length given (chunked): read at most maxBytes, then hand a buffered copy on.
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
    const buf = new Uint8Array(total);
    let offset = 0;
    for (const ch of chunks) {
      buf.set(ch, offset);
      offset += ch.byteLength;
    }
    reader.releaseLock();
    // Built from parts, not from the old Request: deriving it would chain the abort signals.
    const raw = c.req.raw;
    c.req.raw = new Request(raw.url, { method, headers: raw.headers, body: buf });
    return next();
  };
}
