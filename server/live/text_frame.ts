/**
 * WebSocket text frames built once and written as they are to many sockets. npm `ws` frames
 * every `send` itself: it measures the string's UTF-8 length, allocates a header, and corks two
 * writes that node:net then joins and encodes per socket. A broadcast sends one message to
 * thousands of sockets, so the hub frames it once here and writes the same bytes to each
 * connection's byte stream (`FrameSink`).
 * @module
 */
import { Buffer } from "node:buffer";

/**
 * The byte stream under a WebSocket (npm `ws`'s socket), written to directly with whole frames.
 * Only for connections without extensions (no permessage-deflate): their frames are exactly
 * header and payload.
 */
export interface FrameSink {
  write(frame: Uint8Array): unknown;
}

/** One unmasked, final text frame carrying `message` (RFC 6455 section 5.2). */
export function textFrame(message: string): Uint8Array {
  const length = Buffer.byteLength(message);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  // Not from Buffer's shared pool: the bytes are handed to many writes and must stay as built.
  const frame = Buffer.allocUnsafeSlow(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(message, header, "utf8");
  return frame;
}

/**
 * The frame of the last message framed: a broadcast asks for the same message once per
 * connection, and only the first asks pays for building it.
 */
export class TextFrameCache {
  #message: string | null = null;
  #frame: Uint8Array = new Uint8Array(0);

  /** The frame of `message`, built unless it was the last one asked for. */
  frameOf(message: string): Uint8Array {
    if (message !== this.#message) {
      this.#frame = textFrame(message);
      this.#message = message;
    }
    return this.#frame;
  }
}
