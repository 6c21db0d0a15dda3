/**
 * Serves a fetch handler on node:http, so `/ws` upgrades can go through an `upgrade` handler
 * that limits frame size while frames arrive (`server/live/guarded_upgrade.ts`); `Deno.serve`
 * gives no hook for that. Plain requests become `Request`s for the app and its `Response`s are
 * written back.
 *
 * The conversion is kept to what the app needs, because node:http is already the dearer half:
 * on this machine a bare node:http answer costs about twice the server CPU of a bare
 * `Deno.serve` one, and a naive conversion doubles that again. Fields are handed
 * to `Request` as pairs (a third of the cost of `Headers#append` per field), a body that fits
 * in one read is written with its length in one call (iterating it with `for await` cost more
 * than node:http's own parsing), and request bodies are read only as far as the app reads
 * them: a body declared larger than `maxBufferedBodyBytes` is handed on as a stream, and when
 * the app answers without reading it all (the body limit's 413), the connection closes instead
 * of node:http reading the rest.
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
  /**
   * A request body whose declared length is at most this is read before the app is called
   * (no stream to build for a small JSON body); a longer one, or one without a length, is
   * handed on as a stream the app reads as far as it wants. Pass the app's body limit.
   * @default 16384
   */
  maxBufferedBodyBytes?: number;
  /** Called once listening, with the bound address. */
  onListen?: (addr: { hostname: string; port: number }) => void;
}

/** A node:http listener in front of a fetch handler. */
export class NodeListener {
  readonly #server: http.Server;
  /** Open HTTP connections with whether a request is in flight (upgraded ones leave). */
  readonly #connections = new Map<Duplex, boolean>();
  #stopping = false;
  #answering = 0;
  /** Resolves with the bound port once listening. */
  readonly listening: Promise<number>;

  constructor(fetch: FetchHandler, options: NodeListenerOptions) {
    const maxBuffered = options.maxBufferedBodyBytes ?? 16_384;
    this.#server = http.createServer((req, res) => {
      const socket = req.socket;
      this.#connections.set(socket, true);
      res.once("finish", () => this.#idle(socket));
      this.#answering++;
      answer(fetch, req, res, maxBuffered).catch(() => res.destroy()).finally(() =>
        this.#answering--
      );
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

  /** Requests whose answer is still being made or written (a client gone mid-body ends its own). */
  get answering(): number {
    return this.#answering;
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
  maxBuffered: number,
): Promise<void> {
  const raw = req.rawHeaders;
  const fields: [string, string][] = [];
  let host = "localhost";
  let length = -1;
  let chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i], value = raw[i + 1];
    fields.push([name, value]);
    if (name.length === 4 && name.toLowerCase() === "host") host = value;
    else if (name.length === 14 && name.toLowerCase() === "content-length") length = Number(value);
    else if (name.length === 17 && name.toLowerCase() === "transfer-encoding") chunked = true;
  }
  const method = req.method ?? "GET";
  let body: BodyInit | undefined;
  if (method !== "GET" && method !== "HEAD" && (length > 0 || chunked)) {
    body = length > 0 && length <= maxBuffered && !chunked
      ? await readBody(req, length)
      : bodyStream(req);
  }
  const response = await fetch(
    new Request(`http://${host}${req.url}`, { method, headers: fields, body }),
    {
      remoteAddr: { hostname: req.socket.remoteAddress ?? "" },
    },
  );
  await send(response, req, res);
}

/** Reads a body of known, bounded length. */
function readBody(req: http.IncomingMessage, length: number): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => {
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
      resolve(new Uint8Array(all.buffer as ArrayBuffer, all.byteOffset, all.byteLength));
    });
    req.once("error", reject);
  });
}

/** The request body as a stream that reads from the socket only when the app pulls. */
function bodyStream(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => controller.close());
      req.once("error", (error) => controller.error(error));
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      req.pause();
    },
  });
}

const PENDING = Promise.resolve(undefined);

/** Writes `response`: in one call with its length when its body is one chunk, else streamed. */
async function send(
  response: Response,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const head: string[] = [];
  let hasLength = false;
  response.headers.forEach((value, name) => {
    // node:http chooses the framing itself (a length below, or chunks for a stream).
    if (name === "transfer-encoding") return;
    if (name === "content-length") hasLength = true;
    head.push(name, value);
  });
  // A body the app did not read (a refusal before reading it) is not read to its end either.
  if (!req.complete) res.shouldKeepAlive = false;
  const body = response.body;
  if (body === null || req.method === "HEAD") {
    res.writeHead(response.status, head);
    res.end();
    await body?.cancel();
    return;
  }
  const reader = body.getReader();
  const first = await reader.read();
  const next = first.done ? undefined : reader.read();
  // A static body has already ended here; racing a settled promise does not wait for more.
  const second = next && await Promise.race([next, PENDING]);
  if (first.done || second?.done) {
    const bytes = first.value ?? new Uint8Array(0);
    if (!hasLength) head.push("content-length", String(bytes.byteLength));
    res.writeHead(response.status, head);
    res.end(bytes);
    return;
  }
  res.writeHead(response.status, head);
  res.on("close", () => reader.cancel().catch(() => {}));
  res.write(first.value);
  let chunk: ReadableStreamReadResult<Uint8Array> = second ?? await next!;
  while (!chunk.done) {
    if (!res.write(chunk.value)) await drainedOrClosed(res);
    // A client gone mid-body: the close handler cancelled the stream; stop writing.
    if (res.destroyed) return;
    chunk = await reader.read();
  }
  res.end();
}

/** Waits for room in the socket's buffer, or for the socket to close (a "drain" never comes then). */
function drainedOrClosed(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
