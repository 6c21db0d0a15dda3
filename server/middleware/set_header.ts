/**
 * Sets a header on the finished response, copying the response first when its headers are
 * immutable (e.g. a Response obtained from `fetch`).
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "../http/app_env.ts";

/** Sets `name: value` on `c.res`. */
export function setHeader(c: Context<AppEnv>, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}
