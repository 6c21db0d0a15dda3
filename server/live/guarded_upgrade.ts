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
import { type IncomingMessage, STATUS_CODES } from "node:http";
import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { WS_LIMITS } from "../domain/live_protocol.ts";
import type { AppEnv } from "../http/app_env.ts";
import type { ErrorBody } from "../http/error_handler.ts";
import { HttpError } from "../http/errors.ts";
import { clientAddress } from "../middleware/client_address.ts";
import type { Hub } from "./hub.ts";

/** Options of {@link createGuardedUpgrade}. */
export interface GuardedUpgradeOptions {
  /** Largest message (and frame) a client may send, in bytes. @default WS_LIMITS.maxMessageBytes */
  maxMessageBytes?: number;
  /** Reverse proxies in front (`TRUST_PROXY`), for the client address. @default 0 */
  trustProxy?: number;
  /**
   * Protocol ping interval; a connection that did not answer the previous ping is dropped, as
   * `Deno.upgradeWebSocket`'s `idleTimeout` does. @default the hub's `idleTimeout` (30 s)
   */
  heartbeatMs?: number;
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
    // The hub writes its frames straight to the socket (`FrameSink`): no extension may change
    // what a frame looks like.
    perMessageDeflate: false,
    maxPayload: options.maxMessageBytes ?? WS_LIMITS.maxMessageBytes,
  });
  const trustProxy = options.trustProxy ?? 0;
  const heartbeatMs = options.heartbeatMs ?? hub.upgradeOptions.idleTimeout * 1000;
  return function guardedUpgrade(request, socket, head) {
    let admission;
    try {
      admission = hub.admit({
        origin: request.headers.origin,
        host: request.headers.host,
        address: addressOf(request, socket as Socket, trustProxy),
      });
    } catch (error) {
      socket.end(refusal(error, request));
      return;
    }
    let attached = false;
    // A handshake `ws` refuses (bad key, version) ends the socket without calling back.
    socket.once("close", () => {
      if (!attached) admission.release();
    });
    server.handleUpgrade(request, socket, head, (ws: NodeWebSocket) => {
      attached = true;
      // `ws` has already queued the close frame (1009 for an oversized frame); destroying the
      // socket now stops reading the rest of the frame.
      ws.on("error", () => socket.destroy());
      keepAlive(ws, socket, heartbeatMs);
      hub.attach(ws, admission, socket);
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

type NodeWebSocket = WebSocket & {
  on(event: string, listener: () => void): void;
  ping(): void;
};

function keepAlive(ws: NodeWebSocket, socket: Duplex, heartbeatMs: number): void {
  let answered = true;
  ws.on("pong", () => (answered = true));
  const timer = setInterval(() => {
    if (!answered) return socket.destroy();
    answered = false;
    ws.ping();
  }, heartbeatMs);
  ws.on("close", () => clearInterval(timer));
}

/** The refusal as an HTTP response with the app's JSON error body (`ErrorBody`). */
function refusal(error: unknown, request: IncomingMessage): string {
  const e = error instanceof HttpError ? error : new HttpError(500, "Internal server error");
  const requestId = String(request.headers["x-request-id"] ?? crypto.randomUUID());
  const body: ErrorBody = { error: { code: e.code, message: e.message, request_id: requestId } };
  if (e.details !== undefined) body.error.details = e.details;
  const text = JSON.stringify(body);
  const reason = STATUS_CODES[e.status] ?? "Error";
  const extra = Object.entries(e.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return `HTTP/1.1 ${e.status} ${reason}\r\nConnection: close\r\n${extra}` +
    `Content-Type: application/json\r\nCache-Control: no-store\r\n` +
    `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
}
