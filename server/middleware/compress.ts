/**
 * Compresses answers made per request (pages, JSON, text) with brotli or gzip, as the client's
 * `Accept-Encoding` allows, and marks every compressible answer `Vary: Accept-Encoding`. Leaves
 * alone what is small (under {@link MIN_COMPRESS_BYTES}), already encoded (precompressed
 * bundles and static files), not compressible (images, fonts, event streams), bodiless, or
 * marked `no-transform`. A client that sends no `Accept-Encoding` never has its body read; on a
 * POST (a prediction) it costs one header look-up, as caches do not store POST answers and so
 * need no `Vary` there (`deno bench -A bench/middleware_bench.ts`: within 0.1 µs of no
 * middleware).
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import {
  type ContentCoding,
  encodeBody,
  isCompressibleType,
  MIN_COMPRESS_BYTES,
  negotiateEncoding,
  varyOnEncoding,
} from "../http/content_encoding.ts";
import { setHeader } from "./set_header.ts";

/** Options of {@link compress}. */
export interface CompressOptions {
  /** Smallest body compressed, in bytes. @default {@link MIN_COMPRESS_BYTES} */
  minBytes?: number;
}

function encodedAnswer(res: Response, body: Uint8Array, coding: ContentCoding | null): Response {
  const answer = new Response(body as Uint8Array<ArrayBuffer>, res);
  answer.headers.delete("content-length");
  if (coding) answer.headers.set("content-encoding", coding);
  return answer;
}

/** Creates the compression middleware. */
export function compress(options: CompressOptions = {}): MiddlewareHandler<AppEnv> {
  const minBytes = options.minBytes ?? MIN_COMPRESS_BYTES;
  return async function compress(c: Context<AppEnv>, next: Next) {
    // A WebSocket upgrade answer must reach Deno untouched.
    if (c.req.header("upgrade")) return next();
    await next();
    const method = c.req.method;
    const accept = c.req.header("accept-encoding");
    if (!accept && method !== "GET" && method !== "HEAD") return;
    const type = c.res.headers.get("content-type");
    if (!isCompressibleType(type) || c.res.headers.has("content-encoding")) return;
    setHeader(c, "Vary", varyOnEncoding(c.res.headers.get("vary")));
    const coding = negotiateEncoding(accept);
    const res = c.res;
    if (!coding || !res.body || method === "HEAD" || res.status === 206) return;
    if (/no-transform/i.test(res.headers.get("cache-control") ?? "")) return;
    const data = new Uint8Array(await res.arrayBuffer());
    // The body was read to learn its size; a small one goes out as it came.
    c.res = data.byteLength < minBytes
      ? encodedAnswer(res, data, null)
      : encodedAnswer(res, encodeBody(data, coding), coding);
  };
}
