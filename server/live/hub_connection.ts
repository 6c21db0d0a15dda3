/**
 * One WebSocket connection of the hub, and what its parts call back into.
 * @module
 */
import type { Topic } from "../domain/live_protocol.ts";
import type { PublishedEvent } from "./live_event.ts";
import type { FrameSink } from "./text_frame.ts";

/** A granted connection, counted against its address until the socket closes. */
export interface Admission {
  readonly address: string;
  /** Gives the connection back (idempotent); call it if the upgrade fails. */
  release(): void;
}

/** The socket events a connection forwards to its hub. */
export interface ConnectionEvents {
  onOpen(conn: Connection, socket: WebSocket | undefined): void;
  onMessage(conn: Connection, data: unknown): void;
  onEnd(conn: Connection): void;
}

/** What the hub's parts (outbox, subscriptions) ask of the hub that owns the connections. */
export interface ConnectionOwner {
  /** Removes a connection from the hub (its socket may still be closing). */
  forget(conn: Connection): void;
  /** Closes a connection from the server's side. */
  drop(conn: Connection, code: number, reason: string): void;
  /** Answers a request with an `error`; closes a connection that keeps sending bad ones. */
  fail(conn: Connection, code: string, message: string): void;
}

const RESOLVED = Promise.resolve();

/**
 * One connection. It is its socket's event listener object (`handleEvent`, no closures per
 * connection): with tens of thousands of sockets, every object a connection keeps counts.
 */
export class Connection implements EventListenerObject {
  socket: WebSocket | null = null;
  /** The byte stream under `socket` when frames can be written to it whole (npm `ws`). */
  frames: FrameSink | null = null;
  /** topic -> every event on it with a larger id has been delivered (or is being replayed). */
  readonly topics = new Map<Topic, number>();
  /** Live events held back while a replay runs. */
  heldForReplay: PublishedEvent[] | null = null;
  /** Live events waiting for the next batch flush (socket busy), and their size. */
  batch: PublishedEvent[] | null = null;
  batchBytes = 0;
  /** Id of the event the current broadcast sent: dedupes events on several subscribed topics. */
  lastEventId = 0;
  /** When (performance.now) the last event frame went out: later ones within `batchMs` wait. */
  lastFrameAt = -Infinity;
  invalidMessages = 0;
  closed = false;
  /** The client's requests run one after another; this settles when the last one is done. */
  requests: Promise<void> = RESOLVED;

  constructor(
    readonly id: string,
    readonly admission: Admission,
    readonly events: ConnectionEvents,
    public lastSeen: number,
  ) {}

  /** Runs `handle` after the requests before it; an idle connection holds no promise chain. */
  enqueueRequest(handle: () => Promise<void> | void): Promise<void> {
    const next = this.requests.then(handle);
    this.requests = next;
    next.then(() => {
      if (this.requests === next) this.requests = RESOLVED;
    });
    return next;
  }

  /** The socket's `open` (once), `message`, `close` and `error` events. */
  handleEvent(evt: Event): void {
    if (evt.type === "message") this.events.onMessage(this, (evt as MessageEvent).data);
    else if (evt.type === "open") this.events.onOpen(this, evt.target as WebSocket);
    else this.events.onEnd(this);
  }
}
