/**
 * `POST /api/v1/client-errors`: errors reported by our own pages (uncaught errors, error
 * boundaries), validated and logged. Rate limited with the rest of `/api/*`; answers 204.
 * @module
 */
import { z } from "zod";
import { readJson, validate } from "../../../server/validation.ts";
import type { Handlers } from "../../../server/web/router.ts";

/** Schema of one report (see `islands/_client/report_error.ts`). */
export const ClientErrorSchema = z.strictObject({
  message: z.string().min(1).max(1000),
  kind: z.enum(["error", "unhandledrejection", "boundary", "fetch"]),
  stack: z.string().max(4000).optional(),
  url: z.string().max(500),
  source: z.string().max(500).optional(),
  line: z.number().int().nonnegative().optional(),
  column: z.number().int().nonnegative().optional(),
});

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
