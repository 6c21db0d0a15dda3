/**
 * The drill's WebSocket viewers: plain-TCP RFC 6455 clients, each subscribed to a mix of topics,
 * recording every event id they receive. A viewer whose connection drops reconnects and
 * subscribes again with `since` = the last id it processed, as the browser client does. The
 * ledger is what the "full" viewers (subscribed to `matches` and `value-bets`, which together
 * carry every event) saw, with each event's topics, so each viewer's expected events follow.
 * @module
 */
import { maskedFrame, rawConnect } from "../../server/live/raw_ws_client.ts";
import { eventIds, FrameReader } from "./frames.ts";
import type { ViewerAccount } from "./report.ts";

/**
 * Every event the full viewers saw, per epoch (fleet mode numbers events again after Redis
 * loses its history; embedded mode has one epoch, ""): id -> its topics.
 */
export class EventLedger {
  readonly epochs = new Map<string, Map<number, string[]>>();
  /** The epoch seen last. */
  epoch = "";
  /** The highest id seen in the current epoch; events seen in all epochs. */
  maxId = 0;
  total = 0;

  /** The ids of the current epoch with their topics. */
  get topics(): Map<number, string[]> {
    return this.of(this.epoch);
  }

  of(epoch: string): Map<number, string[]> {
    let m = this.epochs.get(epoch);
    if (!m) this.epochs.set(epoch, m = new Map());
    return m;
  }

  /** Records the events of a frame (of `epoch`) whose ids are not known yet. */
  learn(text: string, epoch: string): void {
    const message = JSON.parse(text);
    const topics = this.of(epoch);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.maxId = 0;
    }
    for (const m of message.type === "batch" ? message.events : [message]) {
      if (topics.has(m.event_id)) continue;
      this.total++;
      if (m.event_id > this.maxId) this.maxId = m.event_id;
      if (m.type === "odds") {
        topics.set(m.event_id, [`match:${m.match.id}`, `league:${m.match.league}`, "matches"]);
      } else if (m.type === "value_bet") {
        topics.set(m.event_id, [
          `match:${m.bet.match_id}`,
          `league:${m.bet.league}`,
          "value-bets",
        ]);
      }
    }
  }
}

/** Options of a {@link ViewerPool}. */
export interface ViewerPoolOptions {
  /** Ports of the instances; a viewer's nth connection goes to `ports[(index + n) % length]`. */
  ports: () => number[];
  /** Topics of each viewer, by index. */
  topics: string[][];
  /** The client address a viewer claims (X-Forwarded-For; the service trusts one proxy). */
  addressOf: (index: number) => string;
  /**
   * Test-only: discards every Nth event a viewer receives before it is counted, so the drill's
   * loss check can be shown to fail. 0 = off. @default 0
   */
  dropEveryNth?: number;
}

const decoder = new TextDecoder();
const FULL = ["matches", "value-bets"];

/** What a viewer received in one epoch. */
interface Segment {
  epoch: string;
  /** Events after this id are owed (the first welcome's, or a reload's `last_event_id`). */
  baseline: number;
  received: Set<number>;
  duplicates: number;
  last: number;
}

/** One viewer's connection and account. */
class Viewer {
  readonly index: number;
  readonly topics: string[];
  readonly full: boolean;
  readonly segments: Segment[] = [];
  connects = 0;
  /** A replay in the same epoch could not be completed (history trimmed). */
  truncated = false;
  /** Reloads after an epoch change (`recovered: false`). */
  reloads = 0;
  subscribed = false;
  closeCodes: number[] = [];
  conn: Deno.TcpConn | undefined;

  constructor(index: number, topics: string[]) {
    this.index = index;
    this.topics = topics;
    this.full = FULL.every((t) => topics.includes(t));
  }
}

/** N viewers, their reconnects and their accounts. */
export class ViewerPool {
  readonly ledger = new EventLedger();
  readonly #options: ViewerPoolOptions;
  readonly #viewers: Viewer[];
  #stopping = false;
  #counted = 0;
  /** Events received, all viewers together. */
  deliveries = 0;

  constructor(options: ViewerPoolOptions) {
    this.#options = options;
    this.#viewers = options.topics.map((t, i) => new Viewer(i, t));
  }

  /** Connects every viewer (in waves, so the accept queue is not flooded). */
  async connect(): Promise<void> {
    const wave = 100;
    for (let i = 0; i < this.#viewers.length; i += wave) {
      await Promise.all(this.#viewers.slice(i, i + wave).map((v) => this.#keepConnected(v)));
    }
  }

  /** Viewers subscribed right now. */
  subscribedCount(): number {
    return this.#viewers.filter((v) => v.subscribed).length;
  }

  get size(): number {
    return this.#viewers.length;
  }

  /** Close codes viewers saw, with their counts. */
  closeCodes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const v of this.#viewers) for (const c of v.closeCodes) out[c] = (out[c] ?? 0) + 1;
    return out;
  }

  /** Each viewer's account per epoch (reconnects and state on its first). */
  accounts(): ViewerAccount[] {
    return this.#viewers.flatMap((v) =>
      v.segments.map((s, i) => ({
        topics: v.topics,
        epoch: s.epoch,
        baseline: s.baseline,
        received: [...s.received],
        duplicates: s.duplicates,
        truncated: i === 0 && v.truncated,
        reconnects: i === 0 ? Math.max(0, v.connects - 1) : 0,
        reloads: i === 0 ? v.reloads : 0,
        subscribed: i === 0 ? v.subscribed : true,
      }))
    );
  }

  /** Closes every connection for good. */
  close(): void {
    this.#stopping = true;
    for (const v of this.#viewers) {
      try {
        v.conn?.close();
      } catch { /* already closed */ }
    }
  }

  /** Connects `v` (retrying until it is subscribed) and reconnects it whenever it drops. */
  async #keepConnected(v: Viewer): Promise<void> {
    let subscribedOnce: () => void = () => {};
    const ready = new Promise<void>((r) => subscribedOnce = r);
    const run = async () => {
      while (!this.#stopping) {
        try {
          await this.#session(v, subscribedOnce);
        } catch { /* refused or reset: try again */ }
        v.subscribed = false;
        if (this.#stopping) break;
        // A server that is restarting refuses connections for a few seconds.
        await new Promise((r) => setTimeout(r, 250 + Math.random() * 250));
      }
      subscribedOnce();
    };
    run();
    await ready;
  }

  /** One connection: handshake, subscribe with `since`, read until it closes. */
  async #session(v: Viewer, onSubscribed: () => void): Promise<void> {
    const ports = this.#options.ports();
    const raw = await rawConnect(ports[(v.index + v.connects) % ports.length], {
      headers: { "x-forwarded-for": this.#options.addressOf(v.index) },
    });
    if (raw.status !== 101) {
      raw.close();
      throw new Error(`Upgrade refused with HTTP ${raw.status}`);
    }
    v.conn = raw.conn;
    v.connects++;
    const reader = new FrameReader();
    const chunk = new Uint8Array(64 * 1024);
    let frames = reader.push(raw.leftover);
    for (;;) {
      for (const f of frames) {
        if (f.opcode === 0x1) await this.#onText(v, decoder.decode(f.payload), raw, onSubscribed);
        else if (f.opcode === 0x9) await raw.write(maskedFrame(0xa, f.payload.slice()));
        else if (f.opcode === 0x8) {
          const code = f.payload.length >= 2 ? (f.payload[0] << 8) | f.payload[1] : 1005;
          v.closeCodes.push(code);
          await raw.write(maskedFrame(0x8, f.payload.slice(0, 2))).catch(() => {});
          raw.close();
          return;
        }
      }
      let n: number | null = null;
      try {
        n = await raw.conn.read(chunk);
      } catch { /* reset */ }
      if (n === null) {
        if (!this.#stopping) v.closeCodes.push(1006);
        raw.close();
        return;
      }
      frames = reader.push(chunk.subarray(0, n));
    }
  }

  async #onText(
    v: Viewer,
    text: string,
    raw: { sendText(t: string): Promise<void> },
    onSubscribed: () => void,
  ): Promise<void> {
    if (text.startsWith('{"type":"welcome"')) {
      const welcome = JSON.parse(text);
      const epoch = welcome.epoch ?? "";
      let seg = v.segments.at(-1);
      if (!seg) {
        seg = {
          epoch,
          baseline: welcome.last_event_id,
          received: new Set(),
          duplicates: 0,
          last: 0,
        };
        v.segments.push(seg);
      }
      const since = Math.max(seg.baseline, seg.last);
      await raw.sendText(JSON.stringify({
        type: "subscribe",
        topics: v.topics,
        since,
        ...(seg.epoch ? { epoch: seg.epoch } : {}),
      }));
      return;
    }
    if (text.startsWith('{"type":"subscribed"')) {
      const ack = JSON.parse(text);
      const seg = v.segments.at(-1)!;
      const epoch = ack.epoch ?? "";
      if (epoch !== seg.epoch) {
        // Another epoch: what was owed in the old one cannot come; the viewer reloads and is
        // owed what follows this ack.
        v.reloads++;
        v.segments.push({
          epoch,
          baseline: ack.last_event_id,
          received: new Set(),
          duplicates: 0,
          last: 0,
        });
      } else if (ack.truncated || ack.recovered === false) v.truncated = true;
      v.subscribed = true;
      onSubscribed();
      return;
    }
    // A new epoch is announced by a `subscribed` (above) before its first event, so ids that go
    // backwards within a segment are repeats, counted as duplicates.
    const ids = eventIds(text);
    if (ids.length === 0) return;
    this.#count(v, text, ids);
  }

  /** Counts a frame's events in the viewer's current segment (and the ledger). */
  #count(v: Viewer, text: string, ids = eventIds(text)): void {
    const seg = v.segments.at(-1)!;
    if (v.full) {
      const known = this.ledger.of(seg.epoch);
      if (ids.some((id) => !known.has(id))) this.ledger.learn(text, seg.epoch);
    }
    const nth = this.#options.dropEveryNth ?? 0;
    for (const id of ids) {
      if (nth > 0 && ++this.#counted % nth === 0) continue;
      this.deliveries++;
      if (seg.received.has(id)) seg.duplicates++;
      else seg.received.add(id);
      if (id > seg.last) seg.last = id;
    }
  }
}
