/**
 * `GET /api/v1/alerts/performance`: count, closing line value and ROI of the value-bet alerts.
 * @module
 */
import { HttpError } from "../../../../server/http/errors.ts";
import type { Handlers } from "../../../../server/web/router.ts";
import { jsonAnswer } from "../../../../server/http/json_answer.ts";

export const handler: Handlers = {
  GET(c) {
    const alerts = c.get("services").alerts;
    if (!alerts) {
      throw new HttpError(503, "Value-bet alerts are not running", { code: "alerts_unavailable" });
    }
    return jsonAnswer({ performance: alerts.performance(), filter: alerts.filter });
  },
};
