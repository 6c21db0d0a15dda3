/**
 * Receives the fleet's events in offset order. Pub/sub alone loses what is published while the
 * subscriber's connection is down and gives no order guarantee across a reconnect, so the
 * subscriber compares the offsets it delivered with the stream's (on every message that does not
 * follow the last one, and every `checkIntervalMs`) and fills any gap from the stream. When the
 * gap cannot be filled (the epoch changed, or the stream was trimmed past it) it says so through
 * `onReset` and continues from the stream's current position.
 * @module
 */
import type { Redis } from "ioredis";
import {
  type FleetEvent,
  type FleetEventStream,
  parseEventMessage,
  type StreamPosition,
} from "./event_stream.ts";

/** Options of {@link FleetEventSubscriber}. */
export interface FleetEventSubscriberOptions {
  /** Gets every event once, in offset order. */
  onEvent: (event: FleetEvent) => void;
  /**
   * Continuity was lost (new epoch or trimmed history): events up to `position` were not
   * delivered; a client should reload the current state. Delivery resumes after `position`.
   * `previousEpoch` is the epoch followed until now (it differs from `position.epoch` when
   * Redis lost the stream).
   */
  onReset?: (position: StreamPosition, previousEpoch: string) => void;
  /** Period of the check against the stream's last offset. @default 1000 */
  checkIntervalMs?: number;
  /** Stops the subscription. */
  signal?: AbortSignal;
}

/** A SUBSCRIBE on its own connection that delivers the fleet's events in order, gaps filled. */
export class FleetEventSubscriber {
  readonly #stream: FleetEventStream;
  readonly #onEvent: (event: FleetEvent) => void;
  readonly #onReset: (position: StreamPosition, previousEpoch: string) => void;
  readonly #interval: number;
  #connection: Redis | null = null;
  #epoch = "";
  #offset = 0;
  /** Messages that arrived ahead of a gap, by offset. */
  #ahead = new Map<number, FleetEvent>();
  #filling: Promise<void> | null = null;
  #refill = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #connecting: Promise<void> | null = null;
  #abortWait: (() => void) | null = null;
  #subscribed = false;
  #closed = false;

  constructor(stream: FleetEventStream, options: FleetEventSubscriberOptions) {
    this.#stream = stream;
    this.#onEvent = options.onEvent;
    this.#onReset = options.onReset ?? (() => {});
    this.#interval = options.checkIntervalMs ?? 1000;
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
  }

  /** The position of the last delivered event. */
  get position(): StreamPosition {
    return { epoch: this.#epoch, offset: this.#offset };
  }

  /**
   * Subscribes and starts delivering after `from` (a client's last position), or after the
   * stream's current position when omitted. Resolves once the first connection attempt is
   * over, connected or not: while Redis is away the subscriber keeps trying and, once
   * connected, delivers what was published meanwhile (from the stream).
   */
  async start(from?: StreamPosition): Promise<void> {
    if (from) {
      this.#epoch = from.epoch;
      this.#offset = from.offset;
    }
    const connection = this.#stream.redis.duplicate();
    this.#connection = connection;
    connection.on("message", (channel: string, message: string) => {
      if (channel === this.#stream.channel) this.#receive(message);
    });
    // Every (re)connection subscribes and fills the gap it may have left.
    connection.on("ready", () => void this.#connected());
    connection.on("close", () => {
      this.#subscribed = false;
    });
    if (connection.status === "ready") void this.#connected();
    else {
      // Waiting for "ready" alone would hang for as long as Redis is down.
      await new Promise<void>((resolve) => {
        const settle = () => {
          for (const e of ["ready", "error", "end"]) connection.off(e, settle);
          this.#abortWait = null;
          resolve();
        };
        for (const e of ["ready", "error", "end"]) connection.once(e, settle);
        this.#abortWait = settle;
      });
    }
    await this.#connecting;
    this.#schedule();
  }

  /** Whether the subscription is in place and the position known. */
  get connected(): boolean {
    return this.#subscribed && this.#epoch !== "";
  }

  #connected(): Promise<void> {
    const run = async () => {
      const connection = this.#connection;
      if (!connection || this.#closed) return;
      await connection.subscribe(this.#stream.channel);
      if (this.#epoch === "") {
        const position = await this.#stream.position();
        if (this.#epoch === "") {
          this.#epoch = position.epoch;
          this.#offset = position.offset;
        }
      }
      this.#subscribed = true;
      await this.#fill();
    };
    const p = run().catch(() => {
      // Redis went away again: the next "ready" or the periodic check tries again.
    });
    this.#connecting = p;
    return p;
  }

  /** Unsubscribes and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abortWait?.();
    await this.#connecting;
    await this.#filling?.catch(() => {});
    const connection = this.#connection;
    this.#connection = null;
    if (!connection) return;
    if (connection.status === "ready") await connection.quit().catch(() => {});
    else connection.disconnect(false);
  }

  #receive(message: string): void {
    const event = parseEventMessage(message);
    // Before start() knows the position, the first fill will pick the event up from the stream.
    if (!event || this.#closed || this.#epoch === "") return;
    if (event.epoch === this.#epoch && event.offset <= this.#offset) return;
    if (!this.#filling && event.epoch === this.#epoch && event.offset === this.#offset + 1) {
      this.#deliver(event);
      return;
    }
    if (event.epoch === this.#epoch) this.#ahead.set(event.offset, event);
    void this.#fill().catch(() => {});
  }

  #deliver(event: FleetEvent): void {
    this.#offset = event.offset;
    this.#onEvent(event);
  }

  /** Fills from the stream until what was delivered meets its last offset; one run at a time. */
  #fill(): Promise<void> {
    if (this.#filling) {
      this.#refill = true;
      return this.#filling;
    }
    const run = async () => {
      do {
        this.#refill = false;
        await this.#fillOnce();
      } while (this.#refill && !this.#closed);
    };
    const p = run().finally(() => {
      this.#filling = null;
    });
    this.#filling = p;
    return p;
  }

  async #fillOnce(): Promise<void> {
    const r = await this.#stream.since(this.#offset, this.#epoch);
    if (this.#closed) return;
    if (!r.recovered) {
      const now = await this.#stream.position();
      if (this.#closed) return;
      this.#ahead.clear();
      // A new epoch starts at offset 1: nothing of it was missed yet, so only its history is
      // replayed; within the same epoch the trimmed part is skipped.
      const previous = this.#epoch;
      const fresh = now.epoch !== previous;
      this.#epoch = now.epoch;
      this.#offset = fresh ? 0 : now.offset;
      this.#onReset({ epoch: this.#epoch, offset: this.#offset }, previous);
      if (fresh) this.#refill = true;
      return;
    }
    for (const event of r.events) {
      if (event.offset === this.#offset + 1) this.#deliver(event);
    }
    // Messages that came while filling and follow on are delivered from the buffer.
    for (const [offset, event] of [...this.#ahead].sort((a, b) => a[0] - b[0])) {
      if (offset <= this.#offset) this.#ahead.delete(offset);
      else if (offset === this.#offset + 1) {
        this.#ahead.delete(offset);
        this.#deliver(event);
      } else {
        this.#refill = true;
        break;
      }
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(async () => {
      try {
        if (this.#epoch === "") await this.#connected();
        else {
          const now = await this.#stream.position();
          if (now.epoch !== this.#epoch || now.offset > this.#offset) await this.#fill();
        }
      } catch {
        // Redis away: the client logs it; the next check tries again.
      }
      this.#schedule();
    }, this.#interval);
  }
}
