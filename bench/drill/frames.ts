/**
 * An incremental reader of server-to-client WebSocket frames (RFC 6455, unmasked): bytes go in
 * as they arrive from TCP, complete frames come out. Lets one drill process hold a thousand
 * viewers on plain TCP connections, each with one read loop and no event dispatch per frame.
 * @module
 */

/** One complete frame. */
export interface Frame {
  opcode: number;
  payload: Uint8Array;
}

/** Splits a byte stream into frames; keeps a partial frame until the rest arrives. */
export class FrameReader {
  #data: Uint8Array = new Uint8Array(0);

  /** Adds `chunk` (copied) and returns every frame it completes, in order. */
  push(chunk: Uint8Array): Frame[] {
    const data = this.#data.length === 0 ? chunk.slice() : concat(this.#data, chunk);
    const frames: Frame[] = [];
    let off = 0;
    for (;;) {
      if (data.length - off < 2) break;
      let len = data[off + 1] & 0x7f;
      let pos = off + 2;
      if (len === 126) {
        if (data.length - pos < 2) break;
        len = (data[pos] << 8) | data[pos + 1];
        pos += 2;
      } else if (len === 127) {
        if (data.length - pos < 8) break;
        len = Number(new DataView(data.buffer, data.byteOffset + pos, 8).getBigUint64(0));
        pos += 8;
      }
      if (data.length - pos < len) break;
      frames.push({ opcode: data[off] & 0x0f, payload: data.subarray(pos, pos + len) });
      off = pos + len;
    }
    this.#data = off === 0 ? data : data.slice(off);
    return frames;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const EVENT_ID = '"event_id":';

/** The event ids in a text frame (one event, or a `batch` of them), in order, without parsing. */
export function eventIds(text: string): number[] {
  const ids: number[] = [];
  for (let at = text.indexOf(EVENT_ID); at >= 0; at = text.indexOf(EVENT_ID, at + 1)) {
    ids.push(parseInt(text.slice(at + EVENT_ID.length, at + EVENT_ID.length + 16), 10));
  }
  return ids;
}
