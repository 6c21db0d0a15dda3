/**
 * Turns a thrown value that is not an `Error` (a string, a plain object: some libraries reject
 * with those) into one, so it reaches `app.onError` like any other failure. Hono hands only
 * `Error`s to `onError` and rethrows the rest, which `Deno.serve` then answers with its own
 * plain-text 500: outside the one error shape and without the security headers.
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";

/** Creates the middleware; it must come after the middleware that post-processes answers. */
export function thrownValues(): MiddlewareHandler<AppEnv> {
  return async function thrownValues(_c: Context<AppEnv>, next: Next) {
    try {
      await next();
    } catch (e) {
      if (e instanceof Error) throw e;
      throw new Error(`A non-Error value was thrown (${typeof e})`, { cause: e });
    }
  };
}
