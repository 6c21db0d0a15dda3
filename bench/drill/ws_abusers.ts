/**
 * WebSocket clients that misbehave the way real ones do: one that subscribes and never reads,
 * one that reads a trickle, and one that sends a frame far over the message limit. The first two
 * keep asking for replays of every retained event, so the service has megabytes to send them;
 * each reports how the service ended it.
 * @module
 */
import { closeCode, frameHeader, rawConnect } from "../../server/live/raw_ws_client.ts";
import { FrameReader } from "./frames.ts";

/** How a misbehaving client behaves. */
export type AbuserKind = "never-reads" | "slow-reader" | "oversized-frame";

/** The close code each kind must be ended with. */
export const EXPECTED_CLOSE: Record<AbuserKind, number> = {
  "never-reads": 1013,
  "slow-reader": 1013,
  "oversized-frame": 1009,
};

/** A running misbehaving client. */
export interface Abuser {
  kind: AbuserKind;
  /** Resolves with the close code the service sent (1006: dropped without one; 0: still open). */
  result(deadlineMs: number): Promise<number>;
}

const TOPICS = ["matches", "value-bets"];

/** Opens one misbehaving client claiming `address`. */
export async function startAbuser(
  port: number,
  kind: AbuserKind,
  address: string,
): Promise<Abuser> {
  const raw = await rawConnect(port, { headers: { "x-forwarded-for": address } });
  if (raw.status !== 101) {
    raw.close();
    return { kind, result: () => Promise.resolve(-raw.status) };
  }
  if (kind === "oversized-frame") {
    // A 1 MB text frame announced in its header, against a 4 KB limit.
    const mask = crypto.getRandomValues(new Uint8Array(4));
    await raw.write(frameHeader(0x1, 1_000_000, mask)).catch(() => {});
    await raw.write(new Uint8Array(64 * 1024)).catch(() => {});
  }
  const reader = new FrameReader();
  let code = 0;
  const consume = (bytes: Uint8Array) => {
    for (const f of reader.push(bytes)) if (f.opcode === 0x8) code = closeCode(f);
  };
  consume(raw.leftover);
  let stopTrickle = false;
  // A client stuck in a resubscribe loop: each unsubscribe + subscribe since 0 asks for a replay
  // of every retained event again (about 1 MB), far faster than live odds alone would fill the
  // kernel's socket buffers and then the service's.
  const resubscribing = kind === "oversized-frame" ? Promise.resolve() : (async () => {
    while (!stopTrickle && code === 0) {
      try {
        await raw.sendText(JSON.stringify({ type: "unsubscribe", topics: TOPICS }));
        await raw.sendText(JSON.stringify({ type: "subscribe", topics: TOPICS, since: 0 }));
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  // The slow reader takes 1 KB every 100 ms; the others read nothing until asked for a result.
  const trickle = kind === "slow-reader"
    ? (async () => {
      const buf = new Uint8Array(1024);
      while (!stopTrickle && code === 0) {
        const n = await raw.conn.read(buf).catch(() => null);
        if (n === null) return;
        consume(buf.subarray(0, n));
        await new Promise((r) => setTimeout(r, 100));
      }
    })()
    : Promise.resolve();

  return {
    kind,
    async result(deadlineMs: number): Promise<number> {
      stopTrickle = true;
      await trickle;
      await resubscribing;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        raw.close();
      }, deadlineMs);
      const buf = new Uint8Array(256 * 1024);
      let ended = false;
      while (code === 0) {
        const n = await raw.conn.read(buf).catch(() => null);
        if (n === null) {
          ended = true;
          break;
        }
        consume(buf.subarray(0, n));
      }
      clearTimeout(timer);
      raw.close();
      // No close frame: dropped (1006) if the peer ended it, still open (0) if our deadline did.
      return code !== 0 ? code : ended && !timedOut ? 1006 : 0;
    },
  };
}
