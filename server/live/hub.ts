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
import { type ServerMessage, type Topic, WS_LIMITS } from "../domain/live_protocol.ts";
import type { Broker, PublishedEvent } from "./broker.ts";
import type { EventLog } from "./event_log.ts";
import { ClientMessageError, parseClientMessage } from "./client_message.ts";
import { type HubMetrics, registerHubMetrics } from "./hub_metrics.ts";

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
  log: EventLog;
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

/** Who asks to connect. */
export interface AdmitRequest {
  /** The `Origin` header, if any. */
  origin?: string | null;
  /** The `Host` header, for same-origin checks. */
  host?: string | null;
  /** The client address the per-address limit counts. */
  address: string;
}

/** A granted connection slot, counted against its address until the socket closes. */
export interface Admission {
  readonly address: string;
  /** Gives the slot back (idempotent); call it if the upgrade fails. */
  release(): void;
}

/** The WebSocket hub. */
export interface Hub {
  /** Checks origin and per-address limit; throws HttpError 403 / 429 / 503. */
  admit(request: AdmitRequest): Admission;
  /**
   * Takes a socket from `Deno.upgradeWebSocket(request, hub.upgradeOptions)`: the hub sends
   * `welcome` once it opens and serves it until it closes (then the admission is released).
   */
  attach(socket: WebSocket, admission: Admission): void;
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

const RESOLVED = Promise.resolve();
/** What connections call back into; one object shared by all connections of a hub. */
interface ConnectionHandlers {
  open(conn: Connection, socket: WebSocket | undefined): void;
  message(conn: Connection, data: unknown): void;
  end(conn: Connection): void;
}

/**
 * One connection. It is its socket's event listener object (`handleEvent`, no closures per
 * connection): with tens of thousands of sockets, every object a connection keeps counts.
 */
class Connection implements EventListenerObject {
  socket: WebSocket | null = null;
  /** topic -> every event on it with a larger id has been delivered (or is being replayed). */
  readonly topics = new Map<Topic, number>();
  /** Live events held back while a replay runs. */
  pending: PublishedEvent[] | null = null;
  /** Live events waiting for the next batch flush (socket busy), and their size. */
  queue: PublishedEvent[] | null = null;
  queuedBytes = 0;
  /** Last event id this broadcast sent to it: dedupes events on several subscribed topics. */
  mark = 0;
  /** When (performance.now) the last event frame went out: later ones within `batchMs` wait. */
  sentAt = -Infinity;
  errors = 0;
  closed = false;
  control: Promise<void> = RESOLVED;

  constructor(
    readonly id: string,
    readonly admission: Admission,
    readonly handlers: ConnectionHandlers,
    public lastSeen: number,
  ) {}

  /** The socket's `open` (once), `message`, `close` and `error` events. */
  handleEvent(evt: Event): void {
    if (evt.type === "message") this.handlers.message(this, (evt as MessageEvent).data);
    else if (evt.type === "open") this.handlers.open(this, evt.target as WebSocket);
    else this.handlers.end(this);
  }
}

/** A connection slot of one address; freed once. */
class Slot implements Admission {
  #released = false;
  constructor(readonly address: string, readonly counts: Map<string, number>) {}
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const left = (this.counts.get(this.address) ?? 1) - 1;
    if (left <= 0) this.counts.delete(this.address);
    else this.counts.set(this.address, left);
  }
}

/** Creates a hub; it subscribes to `options.broker` until `options.signal` aborts. */
export function createHub(options: HubOptions): Hub {
  const limits: HubLimits = { ...WS_LIMITS, ...options.limits };
  const { log } = options;
  const now = options.now ?? Date.now;
  const idleTimeoutMs = options.idleTimeoutMs ?? 0;
  const maxPending = options.maxPendingEvents ?? 10_000;
  const batchMs = options.batchMs ?? 0;
  const maxErrors = options.maxErrors ?? 100;
  const allowed = new Set((options.allowedOrigins ?? []).map(normaliseOrigin));

  const connections = new Set<Connection>();
  const byTopic = new Map<Topic, Set<Connection>>();
  const perAddress = new Map<string, number>();
  let closingSockets = 0;
  let stopped = false;
  const m = {
    events_broadcast: 0,
    messages_sent: 0,
    bytes_sent: 0,
    slow_consumers_dropped: 0,
    batches_sent: 0,
    batched_events: 0,
    idle_closed: 0,
    client_errors: 0,
    replays: 0,
    rejected_origin: 0,
    rejected_limit: 0,
  };

  function send(conn: Connection, data: string): boolean {
    const socket = conn.socket;
    if (conn.closed || !socket || socket.readyState !== OPEN) return false;
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      drop(conn, 1013, "Slow consumer: send buffer full");
      m.slow_consumers_dropped++;
      return false;
    }
    try {
      socket.send(data);
    } catch {
      forget(conn);
      return false;
    }
    m.messages_sent++;
    m.bytes_sent += data.length;
    return true;
  }

  function reply(conn: Connection, message: ServerMessage): void {
    send(conn, JSON.stringify(message));
  }

  const flushQueue = new Set<Connection>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  function deliver(conn: Connection, event: PublishedEvent, t: number): void {
    if (conn.pending) {
      conn.pending.push(event);
      if (conn.pending.length > maxPending) {
        drop(conn, 1013, "Slow consumer: too many events pending");
        m.slow_consumers_dropped++;
      }
      return;
    }
    const buffered = conn.socket?.bufferedAmount ?? 0;
    // An event to a quiet connection goes at once; one that follows within `batchMs`, or finds
    // the socket still busy, waits for the next flush and goes with the others in one frame.
    // So a connection gets at most one frame per `batchMs` however fast odds move.
    if (conn.queue || (batchMs > 0 && (buffered > 0 || t - conn.sentAt < batchMs))) {
      // Queued bytes count towards the send-buffer cap: batching must not hide a slow reader.
      conn.queuedBytes += event.json.length;
      if (conn.queuedBytes + buffered > limits.maxBufferedBytes) {
        drop(conn, 1013, "Slow consumer: send buffer full");
        m.slow_consumers_dropped++;
        return;
      }
      if (conn.queue) conn.queue.push(event);
      else {
        conn.queue = [event];
        flushQueue.add(conn);
        flushTimer ??= setTimeout(flush, batchMs);
      }
    } else if (send(conn, event.json)) conn.sentAt = t;
  }

  /** Sends every queued event; connections with the same queue share one serialised frame. */
  function flush(): void {
    flushTimer = null;
    const t = performance.now();
    const frames = new Map<string, string>();
    for (const conn of flushQueue) {
      const queue = conn.queue;
      conn.queue = null;
      conn.queuedBytes = 0;
      if (!queue || conn.closed) continue;
      conn.sentAt = t;
      if (queue.length === 1) {
        send(conn, queue[0].json);
        continue;
      }
      const key = queue.map((e) => e.event_id).join(",");
      let frame = frames.get(key);
      if (frame === undefined) {
        frame = `{"type":"batch","events":[${queue.map((e) => e.json).join(",")}]}`;
        frames.set(key, frame);
      }
      if (send(conn, frame)) {
        m.batches_sent++;
        m.batched_events += queue.length;
      }
    }
    flushQueue.clear();
  }

  function broadcast(event: PublishedEvent): void {
    m.events_broadcast++;
    const id = event.event_id;
    const t = performance.now();
    for (const topic of event.topics) {
      const subscribers = byTopic.get(topic);
      if (!subscribers) continue;
      for (const conn of subscribers) {
        if (conn.mark === id) continue;
        conn.mark = id;
        deliver(conn, event, t);
      }
    }
  }

  /** Removes a connection from the registry (its socket may still be closing). */
  function forget(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    conn.pending = null;
    conn.queue = null;
    conn.queuedBytes = 0;
    flushQueue.delete(conn);
    connections.delete(conn);
    for (const topic of conn.topics.keys()) unindex(conn, topic);
  }

  /** Closes a connection from our side. Its address slot is freed when the socket closes. */
  function drop(conn: Connection, code: number, reason: string): void {
    if (conn.closed) return;
    forget(conn);
    if (conn.socket && conn.socket.readyState <= OPEN) {
      closingSockets++;
      conn.socket.addEventListener("close", () => closingSockets--, { once: true });
      try {
        conn.socket.close(code, reason);
      } catch {
        // Already closing: nothing more to do.
      }
    }
  }

  function index(conn: Connection, topic: Topic): void {
    let set = byTopic.get(topic);
    if (!set) byTopic.set(topic, set = new Set());
    set.add(conn);
  }

  function unindex(conn: Connection, topic: Topic): void {
    const set = byTopic.get(topic);
    if (set?.delete(conn) && set.size === 0) byTopic.delete(topic);
  }

  function fail(conn: Connection, code: string, message: string): void {
    m.client_errors++;
    reply(conn, { type: "error", code, message });
    if (++conn.errors > maxErrors) drop(conn, 1008, "Too many invalid messages");
  }

  async function subscribe(conn: Connection, topics: Topic[], since?: number): Promise<void> {
    const requested = [...new Set(topics)];
    const fresh = requested.filter((t) => !conn.topics.has(t));
    if (conn.topics.size + fresh.length > limits.maxSubscriptions) {
      fail(
        conn,
        "too_many_subscriptions",
        `At most ${limits.maxSubscriptions} subscriptions per connection`,
      );
      return;
    }
    const lastId = log.lastId();
    if (since === undefined) {
      for (const t of fresh) {
        conn.topics.set(t, lastId);
        index(conn, t);
      }
      reply(conn, {
        type: "subscribed",
        topics: requested,
        replayed: 0,
        truncated: false,
        last_event_id: lastId,
      });
      return;
    }
    // Start buffering live events *before* reading the log: every event is then either in the
    // replay, in the buffer, or both (deduped below) - never in neither.
    const before = new Map(conn.topics);
    // Events still queued for a batch are older than the replay: merge them in, in id order.
    conn.pending = conn.queue ?? [];
    conn.queue = null;
    conn.queuedBytes = 0;
    flushQueue.delete(conn);
    for (const t of fresh) {
      conn.topics.set(t, since);
      index(conn, t);
    }
    m.replays++;
    let replay;
    try {
      replay = await log.since(requested, since);
    } catch (error) {
      console.error("Cannot replay live events:", error);
      replay = null;
    }
    if (conn.closed) return;
    const merged = new Map<number, PublishedEvent>();
    for (const event of replay?.events ?? []) {
      if (!alreadyDelivered(event, before)) merged.set(event.event_id, event);
    }
    const replayed = merged.size;
    for (const event of conn.pending ?? []) merged.set(event.event_id, event);
    conn.pending = null;
    for (const t of requested) conn.topics.set(t, Math.min(conn.topics.get(t)!, since));
    const ordered = [...merged.values()].sort((a, b) => a.event_id - b.event_id);
    for (const event of ordered) if (!send(conn, event.json)) return;
    reply(conn, {
      type: "subscribed",
      topics: requested,
      replayed,
      truncated: replay?.truncated ?? true,
      last_event_id: log.lastId(),
    });
    if (!replay) fail(conn, "replay_failed", "Cannot replay missed events: reload the state");
  }

  function unsubscribe(conn: Connection, topics: Topic[]): void {
    for (const t of topics) {
      if (conn.topics.delete(t)) unindex(conn, t);
    }
    reply(conn, { type: "unsubscribed", topics: [...new Set(topics)] });
  }

  function onMessage(conn: Connection, data: unknown): void {
    if (conn.closed) return;
    conn.lastSeen = now();
    let message;
    try {
      message = parseClientMessage(data, limits.maxMessageBytes);
    } catch (error) {
      if (error instanceof ClientMessageError) fail(conn, error.code, error.message);
      else fail(conn, "bad_message", "Cannot read the message");
      return;
    }
    // Control messages run one after another so a replay never interleaves with another.
    const next = conn.control.then(() => {
      if (conn.closed) return;
      switch (message.type) {
        case "subscribe":
          return subscribe(conn, message.topics, message.since);
        case "unsubscribe":
          return unsubscribe(conn, message.topics);
        case "ping":
          return reply(conn, { type: "pong", t: message.t, server_time: new Date().toISOString() });
      }
    }).catch((error) => {
      console.error("WebSocket message handling failed:", error);
      fail(conn, "internal_error", "The message could not be handled");
    });
    conn.control = next;
    // An idle connection keeps the shared resolved promise, not the last chain's.
    next.then(() => {
      if (conn.control === next) conn.control = RESOLVED;
    });
  }

  function onOpen(conn: Connection, socket: WebSocket | undefined): void {
    if (!socket || conn.closed) return;
    conn.socket = socket;
    if (stopped) {
      drop(conn, 1001, "Server shutting down");
      return;
    }
    conn.lastSeen = now();
    connections.add(conn);
    reply(conn, {
      type: "welcome",
      connection_id: conn.id,
      last_event_id: log.lastId(),
      server_time: new Date().toISOString(),
    });
  }

  function onEnd(conn: Connection): void {
    forget(conn);
    conn.admission.release();
  }

  function admit(request: AdmitRequest): Admission {
    if (stopped) throw new HttpError(503, "The live hub is shutting down");
    if (!originAllowed(request.origin, request.host, allowed)) {
      m.rejected_origin++;
      throw new HttpError(403, `Origin "${request.origin}" is not allowed`, {
        code: "origin_not_allowed",
      });
    }
    const address = request.address;
    const count = perAddress.get(address) ?? 0;
    if (count >= limits.maxConnectionsPerAddress) {
      m.rejected_limit++;
      throw new HttpError(
        429,
        `Too many WebSocket connections from "${address}" (at most ${limits.maxConnectionsPerAddress})`,
        { code: "too_many_connections" },
      );
    }
    perAddress.set(address, count + 1);
    return new Slot(address, perAddress);
  }

  const handlers: ConnectionHandlers = { open: onOpen, message: onMessage, end: onEnd };
  const idPrefix = crypto.randomUUID().slice(0, 8);
  let connectionSeq = 0;

  function attach(socket: WebSocket, admission: Admission): void {
    const conn = new Connection(`${idPrefix}-${++connectionSeq}`, admission, handlers, now());
    // Four listener entries and no per-connection closures: the lightest wiring the runtime has.
    socket.addEventListener("open", conn, { once: true });
    socket.addEventListener("message", conn);
    socket.addEventListener("close", conn);
    socket.addEventListener("error", conn);
  }

  function sweep(): number {
    if (idleTimeoutMs <= 0) return 0;
    const cutoff = now() - idleTimeoutMs;
    let closed = 0;
    for (const conn of [...connections]) {
      if (conn.lastSeen < cutoff) {
        drop(conn, 1001, "Idle timeout");
        closed++;
      }
    }
    m.idle_closed += closed;
    return closed;
  }

  function metrics(): HubMetrics {
    let subscriptions = 0;
    for (const conn of connections) subscriptions += conn.topics.size;
    return { connections: connections.size, closing: closingSockets, subscriptions, ...m };
  }

  const unsubscribeBroker = options.broker?.subscribe(broadcast);
  const sweeper: ReturnType<typeof setInterval> | null = idleTimeoutMs > 0
    ? setInterval(sweep, Math.min(limits.heartbeatMs, idleTimeoutMs))
    : null;

  function close(): void {
    if (stopped) return;
    stopped = true;
    unsubscribeBroker?.();
    if (sweeper !== null) clearInterval(sweeper);
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    for (const conn of [...connections]) drop(conn, 1001, "Server shutting down");
  }
  options.signal?.addEventListener("abort", close, { once: true });
  if (options.signal?.aborted) close();

  if (options.registry) registerHubMetrics(options.registry, metrics);

  return {
    admit,
    attach,
    broadcast,
    sweep,
    metrics,
    upgradeOptions: { idleTimeout: Math.max(1, Math.round(limits.heartbeatMs / 1000)) },
    close,
  };
}

function alreadyDelivered(event: PublishedEvent, before: Map<Topic, number>): boolean {
  for (const topic of event.topics) {
    const from = before.get(topic);
    if (from !== undefined && event.event_id > from) return true;
  }
  return false;
}

function normaliseOrigin(origin: string): string {
  if (origin === "*") return origin;
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}

function originAllowed(
  origin: string | null | undefined,
  host: string | null | undefined,
  allowed: Set<string>,
): boolean {
  if (!origin) return true;
  if (allowed.has("*")) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (host && url.host === host) return true;
  return allowed.has(url.origin);
}
