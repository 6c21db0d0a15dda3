/**
 * Fixed-window rate limiting per client address, answering 429 with `Retry-After`, the IETF
 * `RateLimit-Policy` / `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers) on every
 * answer, plus the legacy `X-RateLimit-*` headers on 429s. Counters live in a
 * {@link RateLimitStore}.
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import { HttpError } from "../http/errors.ts";
import type { RateLimitStore } from "../rate_limit/store.ts";
import { clientAddress } from "./client_address.ts";
import { setHeader } from "./set_header.ts";

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Requests allowed per client per window. @default 100 */
  limit?: number;
  /** Window length in milliseconds. @default 60000 */
  windowMs?: number;
  /** Proxies in front whose `X-Forwarded-For` entries are trusted. @default 0 */
  trustProxy?: number;
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Name of the policy in the RateLimit fields. @default "default" */
  policy?: string;
  /** Called for each rejected request (e.g. to count it). */
  onLimited?: (c: Context<AppEnv>) => void;
}

/** Creates the rate-limit middleware over `store`. */
export function rateLimit(
  store: RateLimitStore,
  options: RateLimitOptions = {},
): MiddlewareHandler<AppEnv> {
  const limit = options.limit ?? 100;
  const windowMs = options.windowMs ?? 60_000;
  const trustProxy = options.trustProxy ?? 0;
  const now = options.now ?? Date.now;
  const name = options.policy ?? "default";
  const policy = `"${name}";q=${limit};w=${Math.ceil(windowMs / 1000)}`;
  const limitText = String(limit);

  return async function rateLimit(c: Context<AppEnv>, next: Next) {
    const t = now();
    const windowStart = Math.floor(t / windowMs) * windowMs;
    const r = store.hit(clientAddress(c, trustProxy), windowStart, windowMs);
    const count = typeof r === "number" ? r : await r;
    const remaining = Math.max(0, limit - count);
    const reset = Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000));
    const state = `"${name}";r=${remaining};t=${reset}`;
    if (count > limit) {
      options.onLimited?.(c);
      throw new HttpError(
        429,
        `Rate limit of ${limit} requests per ${windowMs / 1000} s exceeded`,
        {
          code: "rate_limited",
          headers: {
            "RateLimit-Policy": policy,
            "RateLimit": state,
            "Retry-After": String(reset),
            "X-RateLimit-Limit": limitText,
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": String(reset),
          },
        },
      );
    }
    await next();
    // Successful answers carry only the IETF fields: two header writes on the hot path.
    setHeader(c, "RateLimit-Policy", policy);
    setHeader(c, "RateLimit", state);
  };
}
