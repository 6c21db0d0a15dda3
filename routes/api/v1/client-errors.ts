/**
 * `POST /api/v1/client-errors`: errors reported by our own pages (uncaught errors, error
 * boundaries), validated and logged. Rate limited with the rest of `/api/*`; answers 204.
 * @module
 */
import { ClientErrorSchema } from "../../../server/http/schemas.ts";
import { readJson, validate } from "../../../server/http/validation.ts";
import type { Handlers } from "../../../server/web/router.ts";

export const handler: Handlers = {
  async POST(c) {
    const report = validate(ClientErrorSchema, await readJson(c, 8192));
    c.get("services").logger.warn("Client error reported", {
      request_id: c.get("requestId"),
      client_error: report,
      user_agent: c.req.header("user-agent")?.slice(0, 300),
    });
    return c.body(null, 204);
  },
};
