/**
 * What the hub sends and when: backpressure (a socket whose send buffer is over the cap is a
 * slow consumer and is closed with 1013, without waiting on anyone), events held while a replay
 * runs, and coalescing of events for busy sockets into `batch` frames.
 * @module
 */
import type { ServerMessage } from "../domain/live_protocol.ts";
import type { Connection, ConnectionOwner } from "./hub_connection.ts";
import type { PublishedEvent } from "./live_event.ts";
import { TextFrameCache } from "./text_frame.ts";

const OPEN = 1;

/** Options of {@link Outbox}. */
export interface OutboxOptions {
  owner: ConnectionOwner;
  /** Send-buffer cap per connection (queued batch bytes count towards it). */
  maxBufferedBytes: number;
  /** Live events held for one connection while its replay runs, before it counts as slow. */
  maxHeldEvents: number;
  /** Coalescing window (ms); 0 sends every event as its own frame. */
  batchMs: number;
}

/** Counters of an {@link Outbox}. */
export interface OutboxCounts {
  messages_sent: number;
  bytes_sent: number;
  slow_consumers_dropped: number;
  batches_sent: number;
  batched_events: number;
}

/** Sends frames to connections, within their send-buffer cap. */
export class Outbox {
  readonly #owner: ConnectionOwner;
  readonly #maxBufferedBytes: number;
  readonly #maxHeldEvents: number;
  readonly #batchMs: number;
  /** Connections with a batch waiting for the flush timer. */
  readonly #batched = new Set<Connection>();
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** A broadcast's message is framed once for every connection with a `FrameSink`. */
  readonly #frames = new TextFrameCache();
  readonly #counts: OutboxCounts = {
    messages_sent: 0,
    bytes_sent: 0,
    slow_consumers_dropped: 0,
    batches_sent: 0,
    batched_events: 0,
  };

  constructor(options: OutboxOptions) {
    this.#owner = options.owner;
    this.#maxBufferedBytes = options.maxBufferedBytes;
    this.#maxHeldEvents = options.maxHeldEvents;
    this.#batchMs = options.batchMs;
  }

  /** Sends one frame; false when the connection is gone or was just closed as slow. */
  send(conn: Connection, data: string): boolean {
    const socket = conn.socket;
    if (conn.closed || !socket || socket.readyState !== OPEN) return false;
    if (socket.bufferedAmount > this.#maxBufferedBytes) {
      this.#dropSlow(conn, "Slow consumer: send buffer full");
      return false;
    }
    try {
      if (conn.frames) conn.frames.write(this.#frames.frameOf(data));
      else socket.send(data);
    } catch {
      this.#owner.forget(conn);
      return false;
    }
    this.#counts.messages_sent++;
    this.#counts.bytes_sent += data.length;
    return true;
  }

  /** Sends a protocol message. */
  reply(conn: Connection, message: ServerMessage): void {
    this.send(conn, JSON.stringify(message));
  }

  /** Sends a live event now, holds it during a replay, or adds it to the connection's batch. */
  deliver(conn: Connection, event: PublishedEvent, t: number): void {
    if (conn.heldForReplay) {
      conn.heldForReplay.push(event);
      if (conn.heldForReplay.length > this.#maxHeldEvents) {
        this.#dropSlow(conn, "Slow consumer: too many events pending");
      }
      return;
    }
    const buffered = conn.socket?.bufferedAmount ?? 0;
    const batchMs = this.#batchMs;
    // An event to a quiet connection goes at once; one that follows within `batchMs`, or finds
    // the socket still busy, waits for the next flush and goes with the others in one frame.
    // So a connection gets at most one frame per `batchMs` however fast odds move.
    if (conn.batch || (batchMs > 0 && (buffered > 0 || t - conn.lastFrameAt < batchMs))) {
      // Batched bytes count towards the send-buffer cap: batching must not hide a slow reader.
      conn.batchBytes += event.json.length;
      if (conn.batchBytes + buffered > this.#maxBufferedBytes) {
        this.#dropSlow(conn, "Slow consumer: send buffer full");
        return;
      }
      if (conn.batch) conn.batch.push(event);
      else {
        conn.batch = [event];
        this.#batched.add(conn);
        this.#flushTimer ??= setTimeout(() => this.#flush(), batchMs);
      }
    } else if (this.send(conn, event.json)) conn.lastFrameAt = t;
  }

  /**
   * Holds live events for `conn` from now on (a replay starts); its unsent batch, older than
   * the replay, is the start of the held events.
   */
  holdForReplay(conn: Connection): void {
    // Already holding (a replay that began while an epoch resync waits): keep what is held.
    if (conn.heldForReplay) return;
    conn.heldForReplay = conn.batch ?? [];
    this.#clearBatch(conn);
  }

  /** Ends holding; returns the events held. */
  releaseHeld(conn: Connection): PublishedEvent[] {
    const held = conn.heldForReplay ?? [];
    conn.heldForReplay = null;
    return held;
  }

  /** Drops everything queued for a connection that is going away. */
  forget(conn: Connection): void {
    conn.heldForReplay = null;
    this.#clearBatch(conn);
  }

  /** Stops the flush timer (queued batches are not sent). */
  close(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
  }

  counts(): OutboxCounts {
    return { ...this.#counts };
  }

  #clearBatch(conn: Connection): void {
    conn.batch = null;
    conn.batchBytes = 0;
    this.#batched.delete(conn);
  }

  #dropSlow(conn: Connection, reason: string): void {
    this.#owner.drop(conn, 1013, reason);
    this.#counts.slow_consumers_dropped++;
  }

  /** Sends every batch; connections with the same batch share one serialised frame. */
  #flush(): void {
    this.#flushTimer = null;
    const t = performance.now();
    const frames = new Map<string, string>();
    for (const conn of this.#batched) {
      const batch = conn.batch;
      conn.batch = null;
      conn.batchBytes = 0;
      if (!batch || conn.closed) continue;
      conn.lastFrameAt = t;
      if (batch.length === 1) {
        this.send(conn, batch[0].json);
        continue;
      }
      const key = batch.map((e) => e.event_id).join(",");
      let frame = frames.get(key);
      if (frame === undefined) {
        frame = `{"type":"batch","events":[${batch.map((e) => e.json).join(",")}]}`;
        frames.set(key, frame);
      }
      if (this.send(conn, frame)) {
        this.#counts.batches_sent++;
        this.#counts.batched_events += batch.length;
      }
    }
    this.#batched.clear();
  }
}
