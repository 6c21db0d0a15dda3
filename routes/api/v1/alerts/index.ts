/**
 * `GET /api/v1/alerts?since=&limit=`: the value-bet alert log in id order. `since` is an alert id
 * (exclusive) or an ISO date-time; without it the latest `limit` alerts are returned.
 * `next_since` is the cursor for the next poll.
 * @module
 */
import { HttpError } from "../../../../server/http/errors.ts";
import { parseQuery } from "../../../../server/live/live_request.ts";
import { AlertsQuerySchema } from "../../../../server/live/queries.ts";
import type { Handlers } from "../../../../server/web/router.ts";
import { jsonAnswer } from "../../../../server/http/json_answer.ts";

export const handler: Handlers = {
  GET(c) {
    const alerts = c.get("services").alerts;
    if (!alerts) {
      throw new HttpError(503, "Value-bet alerts are not running", { code: "alerts_unavailable" });
    }
    const q = parseQuery(c, AlertsQuerySchema);
    const page = alerts.list({ since: q.since, limit: q.limit });
    return jsonAnswer({ ...page, count: page.alerts.length, filter: alerts.filter });
  },
};
