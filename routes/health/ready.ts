/**
 * `GET /health/ready`: 200 when models are usable, KV answers and the instance is not shutting
 * down; 503 otherwise. Lists each check.
 * @module
 */
import type { Handlers } from "../../server/web/router.ts";
import { jsonAnswer } from "../../server/http/json_answer.ts";

const NO_STORE = { "cache-control": "no-store" };

export const handler: Handlers = {
  GET: async (c) => {
    const report = await c.get("services").health.ready();
    return jsonAnswer(report, { status: report.ready ? 200 : 503, fields: NO_STORE });
  },
};
