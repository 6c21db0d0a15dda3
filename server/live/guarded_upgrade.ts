/**
 * WebSocket upgrades with a message-size limit enforced while frames arrive. Deno's
 * `Deno.upgradeWebSocket` has no maximum message size (denoland/deno#15809): it buffers a whole
 * frame before the hub can look at it, so ten 50 MB frames cost a gigabyte. Here the upgrade
 * runs on node:http's `upgrade` event with npm `ws`, whose `maxPayload` refuses a frame from its
 * header; the connection is then closed with 1009 and its socket destroyed at once, so nothing
 * more of the frame is read (`ws` alone keeps reading until the close handshake ends, which
 * still cost ~13 MB per attacker). `deno task bench ws-attack` measures it.
 * @module
 */
import type { Context } from "hono";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { WS_LIMITS } from "../domain/live_protocol.ts";
import type { AppEnv } from "../http/app_env.ts";
import { HttpError } from "../http/errors.ts";
import { clientAddress } from "../middleware/client_address.ts";
import type { Hub } from "./hub.ts";

/** Options of {@link createGuardedUpgrade}. */
export interface GuardedUpgradeOptions {
  /** Largest message (and frame) a client may send, in bytes. @default WS_LIMITS.maxMessageBytes */
  maxMessageBytes?: number;
  /** Reverse proxies in front (`TRUST_PROXY`), for the client address. @default 0 */
  trustProxy?: number;
}

/** Handles node:http `upgrade` events: `(request, socket, head)`. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Returns the `upgrade` handler that admits a request through `hub` (origin, per-address limit),
 * upgrades it with the size limit and attaches the socket to the hub. A refused request gets
 * the HTTP status of the hub's error and no upgrade.
 */
export function createGuardedUpgrade(
  hub: Hub,
  options: GuardedUpgradeOptions = {},
): UpgradeHandler {
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? WS_LIMITS.maxMessageBytes,
  });
  const trustProxy = options.trustProxy ?? 0;
  return function guardedUpgrade(request, socket, head) {
    let admission;
    try {
      admission = hub.admit({
        origin: request.headers.origin,
        host: request.headers.host,
        address: addressOf(request, socket as Socket, trustProxy),
      });
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    let attached = false;
    // A handshake `ws` refuses (bad key, version) ends the socket without calling back.
    socket.once("close", () => {
      if (!attached) admission.release();
    });
    server.handleUpgrade(request, socket, head, (ws: WebSocket & { on: OnError }) => {
      attached = true;
      // `ws` has already queued the close frame (1009 for an oversized frame); destroying the
      // socket now stops reading the rest of the frame.
      ws.on("error", () => socket.destroy());
      hub.attach(ws, admission);
    });
  };
}

/**
 * The shared client-address rule (`clientAddress`) applied to a node:http request: it reads
 * only `X-Forwarded-For` and the peer address, which is all the view below gives it.
 */
function addressOf(request: IncomingMessage, socket: Socket, trustProxy: number): string {
  const view = {
    req: { header: (name: string) => request.headers[name.toLowerCase()] },
    env: { remoteAddr: { hostname: socket.remoteAddress } },
  };
  return clientAddress(view as unknown as Context<AppEnv>, trustProxy);
}

type OnError = (event: "error", listener: (error: Error) => void) => void;
