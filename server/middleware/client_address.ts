/**
 * The address of the client: the socket peer, or with trusted proxies the `X-Forwarded-For`
 * entry the outermost trusted proxy appended (entries further left are client-controlled).
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "../http/app_env.ts";

/** Returns the client address of `c`; `trustProxy` is the number of proxies in front. */
export function clientAddress(c: Context<AppEnv>, trustProxy: number): string {
  if (trustProxy > 0) {
    const xff = c.req.header("x-forwarded-for");
    if (xff) {
      const hops = xff.split(",");
      const entry = hops[Math.max(0, hops.length - trustProxy)].trim();
      if (entry !== "") return entry.slice(0, 64);
    }
  }
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return env?.remoteAddr?.hostname ?? "unknown";
}
