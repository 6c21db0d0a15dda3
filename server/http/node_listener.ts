/**
 * Serves a fetch handler on node:http, so `/ws` upgrades can go through an `upgrade` handler
 * that limits frame size while frames arrive (`server/live/guarded_upgrade.ts`); `Deno.serve`
 * gives no hook for that. Plain requests become `Request`s for the app and its `Response`s are
 * streamed back.
 * @module
 */
import http from "node:http";
import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import type { UpgradeHandler } from "../live/guarded_upgrade.ts";

/** The app's fetch handler with the client address, as `Deno.serve` would call it. */
export type FetchHandler = (
  request: Request,
  info: { remoteAddr: { hostname: string } },
) => Response | Promise<Response>;

/** Options of {@link NodeListener}. */
export interface NodeListenerOptions {
  port: number;
  hostname: string;
  /** Handles `upgrade` events (the guarded WebSocket upgrade). */
  upgrade: UpgradeHandler;
  /** Called once listening, with the bound address. */
  onListen?: (addr: { hostname: string; port: number }) => void;
}

/** A node:http listener in front of a fetch handler. */
export class NodeListener {
  readonly #server: http.Server;
  /** Open HTTP connections with whether a request is in flight (upgraded ones leave). */
  readonly #connections = new Map<Duplex, boolean>();
  #stopping = false;
  /** Resolves with the bound port once listening. */
  readonly listening: Promise<number>;

  constructor(fetch: FetchHandler, options: NodeListenerOptions) {
    this.#server = http.createServer((req, res) => {
      this.#connections.set(req.socket, true);
      res.once("finish", () => this.#idle(req.socket));
      answer(fetch, req, res).catch(() => res.destroy());
    });
    this.#server.on("connection", (socket: Duplex) => {
      this.#connections.set(socket, false);
      socket.once("close", () => this.#connections.delete(socket));
    });
    this.#server.on("upgrade", (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      // The hub owns upgraded sockets: it closes them with 1001 when the drain ends.
      this.#connections.delete(socket);
      options.upgrade(request, socket, head);
    });
    this.listening = new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(options.port, options.hostname, () => {
        const port = (this.#server.address() as { port: number }).port;
        options.onListen?.({ hostname: options.hostname, port });
        resolve(port);
      });
    });
  }

  /** Stops accepting connections; resolves when every in-flight request finished. */
  shutdown(): Promise<void> {
    return new Promise((resolve) => {
      this.#stopping = true;
      this.#server.close(() => resolve());
      // Idle keep-alive connections would otherwise hold `close` until they time out.
      for (const [socket, busy] of this.#connections) if (!busy) socket.destroy();
    });
  }

  #idle(socket: Duplex): void {
    if (!this.#connections.has(socket)) return;
    if (this.#stopping) socket.end();
    else this.#connections.set(socket, false);
  }
}

async function answer(
  fetch: FetchHandler,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const chunks: Buffer[] = [];
  if (hasBody) { for await (const chunk of req) chunks.push(chunk as Buffer); }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : [value ?? ""]) headers.append(name, v);
  }
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
  const response = await fetch(request, {
    remoteAddr: { hostname: req.socket.remoteAddress ?? "" },
  });
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => (out[name] = value));
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  res.writeHead(response.status, out);
  if (response.body && req.method !== "HEAD") {
    for await (const chunk of response.body) res.write(chunk);
  }
  res.end();
}
