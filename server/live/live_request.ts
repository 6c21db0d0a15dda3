/**
 * Request helpers of the live odds endpoints: the live services or a 503, and query strings
 * validated with zod (422 with field errors).
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/app_env.ts";
import { findLeague } from "../domain/leagues.ts";
import { HttpError } from "../http/errors.ts";
import type { OddsFeed } from "./odds_feed.ts";
import { knownLeagueKey } from "../http/known_league.ts";
import { validate } from "../http/validation.ts";

/** The live services of the app, or HttpError 503 when live odds are not running. */
export function requireLive(c: Context<AppEnv>): OddsFeed {
  const live = c.get("services").live;
  if (!live) {
    throw new HttpError(503, "Live odds are not running", { code: "live_unavailable" });
  }
  return live;
}

/**
 * Parses the query string with `schema` or throws HttpError 422 naming the parameter; an
 * unknown `league` is the same 422 `unknown_league` as everywhere else.
 */
export function parseQuery<T extends z.ZodType>(c: Context<AppEnv>, schema: T): z.output<T> {
  const query = c.req.query();
  const league = query.league?.trim();
  if (league) knownLeagueKey(league);
  return validate(schema, query, { source: "query" });
}

/** A `league` query parameter: a key or alias, turned into the canonical key. */
export const leagueParam = z.string().trim().optional().transform((v, ctx) => {
  if (v === undefined || v === "") return undefined;
  const league = findLeague(v);
  if (!league) {
    ctx.addIssue({ code: "custom", message: `Unknown league "${v}"` });
    return z.NEVER;
  }
  return league.key;
});

/** An optional positive decimal query parameter. */
export function decimalParam(min: number, max: number) {
  return z.string().trim().optional().transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({
        code: "custom",
        message: `Expected a number from ${min} to ${max}, got "${v}"`,
      });
      return z.NEVER;
    }
    return n;
  });
}
