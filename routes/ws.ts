/**
 * `GET /ws`: the live WebSocket (protocol in `server/domain/live_protocol.ts`). A Hono route that
 * checks the origin allow-list and the per-address connection limit before upgrading, then hands
 * the socket to the hub.
 *
 * The upgrade is `Deno.upgradeWebSocket`, the call Hono's `upgradeWebSocket` helper (hono/deno)
 * makes, with the socket wired straight to the hub. The helper adds per connection a WSContext,
 * two URL objects and four `on*` closures that keep the request's context alive: 1.8 KB of the
 * 20 KB budget per connection (`deno task bench ws`: 20.3 -> 18.5 KB at 10,000 clients).
 * @module
 */
import { HttpError } from "../server/http/errors.ts";
import { clientAddress } from "../server/middleware/client_address.ts";
import type { Handlers } from "../server/web/router.ts";

export const handler: Handlers = {
  GET(c) {
    const { hub, config } = c.get("services");
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
      // Behind a proxy every socket comes from the proxy: count the client it forwards for.
      address: clientAddress(c, config.trustProxy),
    });
    try {
      const { socket, response } = Deno.upgradeWebSocket(c.req.raw, hub.upgradeOptions);
      hub.attach(socket, admission);
      return response;
    } catch (error) {
      admission.release();
      throw new HttpError(400, "Cannot upgrade to a WebSocket", {
        code: "bad_upgrade",
        cause: error,
      });
    }
  },
};
