/**
 * Query-string schemas of the live odds and alerts endpoints, shared by the routes (validation,
 * 422 with field errors) and the OpenAPI document (parameters generated from them).
 * @module
 */
import { z } from "zod";
import { decimalParam, leagueParam } from "./live_request.ts";

const league = leagueParam.describe("League key or alias (e.g. `epl`); all leagues when absent");

/** `GET /api/v1/matches/upcoming`. */
export const UpcomingQuerySchema = z.object({
  league,
  limit: decimalParam(1, 500).describe("Most matches returned, 1-500 (default 100)"),
});

/** `GET /api/v1/value-bets`. */
export const ValueBetsQuerySchema = z.object({
  league,
  min_edge: decimalParam(-1, 100).describe(
    "Smallest edge (model probability x odds - 1), e.g. `0.05`",
  ),
  min_odds: decimalParam(1, 1000).describe("Lowest decimal price"),
  max_odds: decimalParam(1, 1000).describe("Highest decimal price"),
  limit: decimalParam(1, 1000).describe("Most value bets returned, 1-1000 (default 200)"),
}).refine((q) => q.min_odds === undefined || q.max_odds === undefined || q.min_odds <= q.max_odds, {
  message: "min_odds must not exceed max_odds",
  path: ["min_odds"],
});

/** `GET /api/v1/alerts`. */
export const AlertsQuerySchema = z.strictObject({
  since: z.string().trim().optional().transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    if (/^\d{1,15}$/.test(v)) return Number(v);
    if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !isNaN(Date.parse(v))) {
      return v;
    }
    ctx.addIssue({
      code: "custom",
      message: `Expected an alert id or an ISO date-time, got "${v}"`,
    });
    return z.NEVER;
  }).describe(
    "An alert id (exclusive: the alerts after it) or an ISO date-time; the latest alerts when absent",
  ),
  limit: z.string().trim().optional().transform((v, ctx) => {
    if (v === undefined || v === "") return 50;
    if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > 1000) {
      ctx.addIssue({ code: "custom", message: `Expected an integer from 1 to 1000, got "${v}"` });
      return z.NEVER;
    }
    return Number(v);
  }).describe("Most alerts returned, 1-1000 (default 50)"),
});
