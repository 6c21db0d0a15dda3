/**
 * `GET /health`: component health (database = KV, cache, ML models, resources) and uptime.
 * 200 when ok or degraded, 503 when a component is down.
 * @module
 */
import type { Handlers } from "../../server/web/router.ts";

export const handler: Handlers = {
  GET: async (c) => {
    const report = await c.get("services").health.report();
    return c.json(report, report.status === "down" ? 503 : 200, { "cache-control": "no-store" });
  },
};
