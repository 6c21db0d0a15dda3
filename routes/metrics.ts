/**
 * `GET /metrics`: Prometheus text exposition of the instance's metrics.
 * @module
 */
import type { Handlers } from "../server/web/router.ts";

export const handler: Handlers = {
  GET: async (c) => {
    const metrics = c.get("services").metrics;
    return c.body(await metrics.text(), 200, {
      "content-type": metrics.contentType,
      "cache-control": "no-store",
    });
  },
};
