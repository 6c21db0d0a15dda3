/**
 * `GET /ws`: the live WebSocket (protocol in `server/domain/live_protocol.ts`). Checks the origin
 * allow-list and the per-address connection limit before upgrading, then hands the socket to the
 * hub.
 * @module
 */
import type { Context } from "hono";
import { getConnInfo, upgradeWebSocket } from "hono/deno";
import type { AppEnv } from "../server/app_env.ts";
import { HttpError } from "../server/errors.ts";
import type { Handlers } from "../server/web/router.ts";

function clientAddress(c: Context<AppEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // No connection info (e.g. `app.request` in tests): all such clients share one slot pool.
    return "unknown";
  }
}

export const handler: Handlers = {
  async GET(c) {
    const hub = c.get("services").hub;
    if (!hub) throw new HttpError(503, "The live hub is not running", { code: "live_unavailable" });
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new HttpError(426, "Expected a WebSocket upgrade", {
        code: "upgrade_required",
        headers: { Upgrade: "websocket" },
      });
    }
    const admission = hub.admit({
      origin: c.req.header("origin"),
      host: c.req.header("host"),
      address: clientAddress(c),
    });
    try {
      return await upgradeWebSocket(c, hub.socketEvents(admission), hub.upgradeOptions);
    } catch (error) {
      admission.release();
      throw new HttpError(400, "Cannot upgrade to a WebSocket", {
        code: "bad_upgrade",
        cause: error,
      });
    }
  },
};
