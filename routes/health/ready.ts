/**
 * `GET /health/ready`: 200 when models are usable, KV answers and the instance is not shutting
 * down; 503 otherwise. Lists each check.
 * @module
 */
import type { Handlers } from "../../server/web/router.ts";
import { jsonAnswer } from "../../server/json_answer.ts";

export const handler: Handlers = {
  GET: async (c) => {
    const report = await c.get("services").health.ready();
    return jsonAnswer(report, report.ready ? 200 : 503, { "cache-control": "no-store" });
  },
};
