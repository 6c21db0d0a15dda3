/**
 * `GET /health/live`: liveness, 200 while the process runs. Cheap: no I/O.
 * @module
 */
import { jsonTextAnswer } from "../../server/http/json_answer.ts";
import type { Handlers } from "../../server/web/router.ts";

const BODY = '{"status":"ok"}';
const NO_STORE = { fields: { "cache-control": "no-store" } };

export const handler: Handlers = {
  GET: () => jsonTextAnswer(BODY, NO_STORE),
};
