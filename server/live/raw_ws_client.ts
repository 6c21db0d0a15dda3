/**
 * A minimal RFC 6455 WebSocket client over a plain TCP connection, for tests and benchmarks that
 * need what a browser WebSocket hides: custom `Origin` headers, the HTTP status of a refused
 * upgrade, and a peer that stops reading so the server's send buffer fills up.
 * @module
 */

/** Options of {@link rawConnect}. */
export interface RawConnectOptions {
  /** @default "/ws" */
  path?: string;
  /** `Origin` header to send. @default none */
  origin?: string;
  /** `Host` header. @default "127.0.0.1:<port>" */
  host?: string;
  /** More request headers (e.g. `X-Forwarded-For`). @default none */
  headers?: Record<string, string>;
}

/** One frame received from the server. */
export interface RawFrame {
  opcode: number;
  payload: Uint8Array;
}

/** The result of a handshake: the HTTP status, and the open connection when it is 101. */
export interface RawWebSocket {
  status: number;
  conn: Deno.TcpConn;
  /** Bytes read after the HTTP head (the start of the first frames). */
  leftover: Uint8Array;
  /** Sends one masked text frame. */
  sendText(text: string): Promise<void>;
  /** Writes raw bytes (e.g. a frame head and its payload in pieces). */
  write(bytes: Uint8Array): Promise<void>;
  /** Reads frames until the server closes (or `maxBytes` arrive); returns them. */
  readAll(maxBytes?: number): Promise<RawFrame[]>;
  /** Closes the TCP connection (no close handshake). */
  close(): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Opens a TCP connection to `127.0.0.1:port` and performs the WebSocket handshake. */
export async function rawConnect(
  port: number,
  options: RawConnectOptions = {},
): Promise<RawWebSocket> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const head = [
    `GET ${options.path ?? "/ws"} HTTP/1.1`,
    `Host: ${options.host ?? `127.0.0.1:${port}`}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
    ...(options.origin ? [`Origin: ${options.origin}`] : []),
    ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    "",
    "",
  ].join("\r\n");
  await writeAll(conn, encoder.encode(head));
  let buffered: Uint8Array = new Uint8Array(0);
  let end = -1;
  while (end < 0) {
    const chunk = new Uint8Array(4096);
    const n = await conn.read(chunk);
    if (n === null) break;
    buffered = concat(buffered, chunk.subarray(0, n));
    end = indexOfHeadEnd(buffered);
  }
  const headText = decoder.decode(buffered.subarray(0, end < 0 ? buffered.length : end));
  const status = Number(headText.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
  const leftover = end < 0 ? new Uint8Array(0) : buffered.slice(end + 4);
  return {
    status,
    conn,
    leftover,
    sendText: (text) => writeAll(conn, maskedFrame(0x1, encoder.encode(text))),
    write: (bytes) => writeAll(conn, bytes),
    readAll: (maxBytes = 256 * 1024 * 1024) => readFrames(conn, leftover, maxBytes),
    close() {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    },
  };
}

/** The close code of a close frame (1005 when it carries none). */
export function closeCode(frame: RawFrame): number {
  return frame.payload.length >= 2 ? (frame.payload[0] << 8) | frame.payload[1] : 1005;
}

/** A text frame's payload as a string. */
export function frameText(frame: RawFrame): string {
  return decoder.decode(frame.payload);
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/**
 * The head of a client-to-server frame announcing `length` payload bytes, masked with `mask`
 * (the payload that follows must be masked with it). Lets a test announce a payload it never
 * sends in full.
 */
export function frameHeader(opcode: number, length: number, mask: Uint8Array): Uint8Array {
  const headLen = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = new Uint8Array(headLen + 4);
  out[0] = 0x80 | opcode;
  if (length < 126) out[1] = 0x80 | length;
  else if (length < 65536) {
    out[1] = 0x80 | 126;
    out[2] = length >> 8;
    out[3] = length & 0xff;
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(length));
  }
  out.set(mask, headLen);
  return out;
}

/** A client-to-server frame: `payload` masked with a random key, as RFC 6455 requires. */
export function maskedFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const head = frameHeader(opcode, payload.length, mask);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  for (let i = 0; i < payload.length; i++) out[head.length + i] = payload[i] ^ mask[i & 3];
  return out;
}

async function readFrames(
  conn: Deno.TcpConn,
  leftover: Uint8Array,
  maxBytes: number,
): Promise<RawFrame[]> {
  let total = leftover.length;
  const frames: RawFrame[] = [];
  let data: Uint8Array = leftover;
  let offset = 0;
  for (;;) {
    // Parse every complete frame in `data` from `offset`.
    for (;;) {
      const frame = parseFrame(data, offset);
      if (!frame) break;
      frames.push(frame.frame);
      offset = frame.next;
      if (frame.frame.opcode === 0x8) return frames;
    }
    if (total >= maxBytes) return frames;
    const chunk = new Uint8Array(256 * 1024);
    let n: number | null;
    try {
      n = await conn.read(chunk);
    } catch {
      n = null;
    }
    if (n === null) return frames;
    total += n;
    data = concat(data.subarray(offset), chunk.subarray(0, n));
    offset = 0;
  }
}

/** The frame starting at `offset` of `data` and where the next begins, or null when incomplete. */
export function parseFrame(
  data: Uint8Array,
  offset: number,
): { frame: RawFrame; next: number } | null {
  if (data.length - offset < 2) return null;
  const opcode = data[offset] & 0x0f;
  let len = data[offset + 1] & 0x7f;
  let pos = offset + 2;
  if (len === 126) {
    if (data.length - pos < 2) return null;
    len = (data[pos] << 8) | data[pos + 1];
    pos += 2;
  } else if (len === 127) {
    if (data.length - pos < 8) return null;
    len = Number(new DataView(data.buffer, data.byteOffset + pos, 8).getBigUint64(0));
    pos += 8;
  }
  if (data.length - pos < len) return null;
  return { frame: { opcode, payload: data.slice(pos, pos + len) }, next: pos + len };
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
