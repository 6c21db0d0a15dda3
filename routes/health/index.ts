/**
 * `GET /health`: component health (database = KV, cache, ML models, resources, live odds
 * sources, WebSocket hub) and uptime. 200 when ok or degraded, 503 when a component is down.
 * @module
 */
import { withLiveHealth } from "../../server/live/live_health.ts";
import type { Handlers } from "../../server/web/router.ts";
import { jsonAnswer } from "../../server/http/json_answer.ts";

const NO_STORE = { "cache-control": "no-store" };

export const handler: Handlers = {
  GET: async (c) => {
    const services = c.get("services");
    const report = withLiveHealth(await services.health.report(), services);
    return jsonAnswer(report, {
      status: report.status === "down" ? 503 : 200,
      fields: NO_STORE,
    });
  },
};
