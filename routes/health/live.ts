/**
 * `GET /health/live`: liveness, 200 while the process runs. Cheap: no I/O.
 * @module
 */
import type { Handlers } from "../../server/web/router.ts";

const BODY = '{"status":"ok"}';
const HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

export const handler: Handlers = {
  GET: (c) => c.body(BODY, 200, HEADERS),
};
