/**
 * The WebSocket hub behind `/ws`: a registry of connections and their topic subscriptions,
 * fan-out of published events (each serialised once per broadcast, not per client), replay of
 * missed events on `subscribe {since}` before live ones (live events arriving during a replay are
 * buffered and merged, so there are no duplicates and no gaps), limits (message size,
 * subscriptions per connection, connections per client address, origin allow-list), slow-consumer
 * cut-off (send buffer over a cap -> close 1013, without waiting on anyone), heartbeats (Deno's
 * protocol-level ping/pong through `upgradeOptions`, plus an optional application idle timeout)
 * and metrics.
 * @module
 */
import type { Registry } from "prom-client";
import { HttpError } from "../http/errors.ts";
import { type Topic, type UpcomingMatch, WS_LIMITS } from "../domain/live_protocol.ts";
import type { Broker } from "./broker.ts";
import type { ReplaySource } from "./event_log.ts";
import { ClientMessageError, parseClientMessage } from "./client_message.ts";
import { type Admission, ConnectionRegistry } from "./connection_registry.ts";
import { AdmissionControl, type AdmitRequest } from "./hub_admission.ts";
import { Connection, type ConnectionEvents, type ConnectionOwner } from "./hub_connection.ts";
import { type HubMetrics, registerHubMetrics } from "./hub_metrics.ts";
import { Outbox } from "./hub_outbox.ts";
import { Subscriptions } from "./hub_subscriptions.ts";
import type { PublishedEvent } from "./live_event.ts";
import type { FrameSink } from "./text_frame.ts";

/** The limits a hub enforces (defaults: `WS_LIMITS`). */
export interface HubLimits {
  maxMessageBytes: number;
  maxSubscriptions: number;
  maxConnectionsPerAddress: number;
  maxBufferedBytes: number;
  heartbeatMs: number;
}

/** Options of {@link createHub}. */
export interface HubOptions {
  /** Where replays come from and where `last_event_id` is read. */
  log: ReplaySource;
  /**
   * The current matches of some topics, sent with a `subscribed` whose replay could not be
   * recovered (fleet mode). @default none
   */
  snapshot?: (topics: Topic[]) => Promise<UpcomingMatch[]>;
  /** When given, the hub broadcasts every event published on it. */
  broker?: Broker;
  /** Overrides of `WS_LIMITS`. @default WS_LIMITS */
  limits?: Partial<HubLimits>;
  /**
   * Browser origins allowed besides the server's own (`"*"` allows all). Requests without an
   * `Origin` header (non-browser clients) are allowed.
   * @default []
   */
  allowedOrigins?: readonly string[];
  /**
   * Close connections that sent nothing (not even `ping`) for this long; 0 disables it and
   * leaves dead-peer detection to the protocol-level ping/pong of `upgradeOptions`.
   * @default 0
   */
  idleTimeoutMs?: number;
  /**
   * Live events buffered for one connection while its replay runs; beyond this it is treated
   * as a slow consumer.
   * @default 10000
   */
  maxPendingEvents?: number;
  /**
   * Coalescing window: when a socket still has unsent data, further events for it are queued
   * and sent together as one `batch` frame after at most this long (an idle socket gets each
   * event at once). Under heavy load this cuts frames, syscalls and client wake-ups by the
   * number of events per batch; 0 sends every event as its own frame. Enable it only for
   * clients that unpack `batch` messages (the protocol's `ServerMessage`).
   * @default 0
   */
  batchMs?: number;
  /** Invalid messages tolerated per connection before it is closed with 1008. @default 100 */
  maxErrors?: number;
  /** Clock (epoch ms). @default Date.now */
  now?: () => number;
  /** Prometheus registry for the hub's metrics. @default none */
  registry?: Registry;
  /** Stops the hub: unsubscribes from the broker and closes every connection with 1001. */
  signal?: AbortSignal;
}

/** The WebSocket hub. */
export interface Hub {
  /** Checks origin and per-address limit; throws HttpError 403 / 429 / 503. */
  admit(request: AdmitRequest): Admission;
  /**
   * Takes a socket from `Deno.upgradeWebSocket(request, hub.upgradeOptions)`: the hub sends
   * `welcome` once it opens and serves it until it closes (then the admission is released).
   * `frames`, the byte stream under a socket of npm `ws` without extensions, takes the hub's
   * frames as bytes built once per message instead of `socket.send`.
   */
  attach(socket: WebSocket, admission: Admission, frames?: FrameSink): void;
  /** Sends a published event to its subscribers (the broker listener calls this). */
  broadcast(event: PublishedEvent): void;
  /** Closes connections idle beyond `idleTimeoutMs`; returns how many. */
  sweep(): number;
  metrics(): HubMetrics;
  /** Options for `Deno.upgradeWebSocket`: protocol-level ping every heartbeat, close on no pong. */
  readonly upgradeOptions: { idleTimeout: number };
  /** Stops the hub (as aborting `signal` does). */
  close(): void;
}

const OPEN = 1;

/**
 * The hub: it wires the registry, admission, outbox and subscriptions together and handles
 * the socket events and client requests of every connection.
 */
class LiveHub implements Hub, ConnectionEvents, ConnectionOwner {
  readonly upgradeOptions: { idleTimeout: number };
  readonly #log: ReplaySource;
  readonly #now: () => number;
  readonly #limits: HubLimits;
  readonly #idleTimeoutMs: number;
  readonly #maxErrors: number;
  readonly #registry = new ConnectionRegistry();
  readonly #admission: AdmissionControl;
  readonly #outbox: Outbox;
  readonly #subscriptions: Subscriptions;
  readonly #idPrefix = crypto.randomUUID().slice(0, 8);
  #connectionSeq = 0;
  #stopped = false;
  readonly #counts = { events_broadcast: 0, idle_closed: 0, client_errors: 0 };
  readonly #unsubscribeBroker: (() => void) | undefined;
  readonly #unsubscribeEpoch: (() => void) | undefined;
  readonly #sweeper: ReturnType<typeof setInterval> | null;

  constructor(options: HubOptions) {
    const limits: HubLimits = { ...WS_LIMITS, ...options.limits };
    this.#limits = limits;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 0;
    this.#maxErrors = options.maxErrors ?? 100;
    this.upgradeOptions = { idleTimeout: Math.max(1, Math.round(limits.heartbeatMs / 1000)) };
    this.#admission = new AdmissionControl({
      registry: this.#registry,
      allowedOrigins: options.allowedOrigins ?? [],
      maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
    });
    this.#outbox = new Outbox({
      owner: this,
      maxBufferedBytes: limits.maxBufferedBytes,
      maxHeldEvents: options.maxPendingEvents ?? 10_000,
      batchMs: options.batchMs ?? 0,
    });
    this.#subscriptions = new Subscriptions({
      owner: this,
      outbox: this.#outbox,
      log: this.#log,
      snapshot: options.snapshot,
      maxSubscriptions: limits.maxSubscriptions,
    });
    this.#unsubscribeBroker = options.broker?.subscribe((event) => this.broadcast(event));
    // Ids restart with a new epoch: connected clients are told before its first event.
    this.#unsubscribeEpoch = options.log.onEpochChange?.((epoch) =>
      void this.#subscriptions.resync(epoch)
    );
    this.#sweeper = this.#idleTimeoutMs > 0
      ? setInterval(() => this.sweep(), Math.min(limits.heartbeatMs, this.#idleTimeoutMs))
      : null;
    options.signal?.addEventListener("abort", () => this.close(), { once: true });
    if (options.signal?.aborted) this.close();
    if (options.registry) registerHubMetrics(options.registry, () => this.metrics());
  }

  admit(request: AdmitRequest): Admission {
    if (this.#stopped) throw new HttpError(503, "The live hub is shutting down");
    return this.#admission.admit(request);
  }

  attach(socket: WebSocket, admission: Admission, frames?: FrameSink): void {
    const id = `${this.#idPrefix}-${++this.#connectionSeq}`;
    const conn = new Connection(id, admission, this, this.#now());
    conn.frames = frames ?? null;
    // Four listener entries and no per-connection closures: the lightest wiring the runtime has.
    socket.addEventListener("open", conn, { once: true });
    socket.addEventListener("message", conn);
    socket.addEventListener("close", conn);
    socket.addEventListener("error", conn);
    // A socket upgraded outside Deno (npm `ws` on node:http) is open already: no `open` follows.
    if (socket.readyState === OPEN) this.onOpen(conn, socket);
  }

  broadcast(event: PublishedEvent): void {
    this.#counts.events_broadcast++;
    this.#subscriptions.broadcast(event);
  }

  sweep(): number {
    if (this.#idleTimeoutMs <= 0) return 0;
    const cutoff = this.#now() - this.#idleTimeoutMs;
    let closed = 0;
    for (const conn of this.#registry.list()) {
      if (conn.lastSeen < cutoff) {
        this.drop(conn, 1001, "Idle timeout");
        closed++;
      }
    }
    this.#counts.idle_closed += closed;
    return closed;
  }

  metrics(): HubMetrics {
    return {
      connections: this.#registry.size,
      closing: this.#registry.closing,
      subscriptions: this.#registry.subscriptionCount(),
      ...this.#outbox.counts(),
      ...this.#counts,
      replays: this.#subscriptions.replays,
      ...this.#admission.counts(),
    };
  }

  close(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#unsubscribeBroker?.();
    this.#unsubscribeEpoch?.();
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#outbox.close();
    for (const conn of this.#registry.list()) this.drop(conn, 1001, "Server shutting down");
  }

  onOpen(conn: Connection, socket: WebSocket | undefined): void {
    if (!socket || conn.closed) return;
    conn.socket = socket;
    if (this.#stopped) {
      this.drop(conn, 1001, "Server shutting down");
      return;
    }
    conn.lastSeen = this.#now();
    this.#registry.add(conn);
    const epoch = this.#log.epoch?.();
    this.#outbox.reply(conn, {
      type: "welcome",
      connection_id: conn.id,
      last_event_id: this.#log.lastId(),
      server_time: new Date().toISOString(),
      ...(epoch === undefined ? {} : { epoch }),
    });
  }

  onMessage(conn: Connection, data: unknown): void {
    if (conn.closed) return;
    conn.lastSeen = this.#now();
    let message;
    try {
      message = parseClientMessage(data, this.#limits.maxMessageBytes);
    } catch (error) {
      if (error instanceof ClientMessageError) this.fail(conn, error.code, error.message);
      else this.fail(conn, "bad_message", "Cannot read the message");
      return;
    }
    // Requests run one after another so a replay never interleaves with another.
    conn.enqueueRequest(async () => {
      try {
        if (conn.closed) return;
        switch (message.type) {
          case "subscribe":
            return await this.#subscriptions.subscribe(
              conn,
              message.topics,
              message.since,
              message.epoch,
            );
          case "unsubscribe":
            return this.#subscriptions.unsubscribe(conn, message.topics);
          case "ping":
            return this.#outbox.reply(conn, {
              type: "pong",
              t: message.t,
              server_time: new Date().toISOString(),
            });
        }
      } catch (error) {
        console.error("WebSocket message handling failed:", error);
        this.fail(conn, "internal_error", "The message could not be handled");
      }
    });
  }

  onEnd(conn: Connection): void {
    this.forget(conn);
    conn.admission.release();
  }

  forget(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    this.#outbox.forget(conn);
    this.#registry.delete(conn);
    this.#subscriptions.forget(conn);
  }

  /** Closes a connection from our side. Its address permit is released when the socket closes. */
  drop(conn: Connection, code: number, reason: string): void {
    if (conn.closed) return;
    this.forget(conn);
    this.#registry.closeSocket(conn, code, reason);
  }

  fail(conn: Connection, code: string, message: string): void {
    this.#counts.client_errors++;
    this.#outbox.reply(conn, { type: "error", code, message });
    if (++conn.invalidMessages > this.#maxErrors) {
      this.drop(conn, 1008, "Too many invalid messages");
    }
  }
}

/** Creates a hub; it subscribes to `options.broker` until `options.signal` aborts. */
export function createHub(options: HubOptions): Hub {
  return new LiveHub(options);
}
