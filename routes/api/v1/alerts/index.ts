/**
 * `GET /api/v1/alerts?since=&limit=`: the value-bet alert log in id order. `since` is an alert id
 * (exclusive) or an ISO date-time; without it the latest `limit` alerts are returned.
 * `next_since` is the cursor for the next poll.
 * @module
 */
import { z } from "zod";
import { HttpError } from "../../../../server/errors.ts";
import { parseQuery } from "../../../../server/live/http.ts";
import type { Handlers } from "../../../../server/web/router.ts";

const Query = z.strictObject({
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
  }),
  limit: z.string().trim().optional().transform((v, ctx) => {
    if (v === undefined || v === "") return 50;
    if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > 1000) {
      ctx.addIssue({ code: "custom", message: `Expected an integer from 1 to 1000, got "${v}"` });
      return z.NEVER;
    }
    return Number(v);
  }),
});

export const handler: Handlers = {
  GET(c) {
    const alerts = c.get("services").alerts;
    if (!alerts) {
      throw new HttpError(503, "Value-bet alerts are not running", { code: "alerts_unavailable" });
    }
    const q = parseQuery(c, Query);
    const page = alerts.list({ since: q.since, limit: q.limit });
    return c.json({ ...page, count: page.alerts.length, filter: alerts.filter });
  },
};
