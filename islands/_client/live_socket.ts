/**
 * The browser's WebSocket client for the live hub (`/ws`): subscribes to topics, reconnects with
 * capped exponential backoff (and at once when the browser comes back online), and on every
 * reconnect asks for what it missed with `since` = the last event id it saw, and `epoch` = the
 * epoch that id belongs to (fleet mode: ids restart when Redis loses the stream). Events it has
 * already seen are dropped, so listeners see each event once, in order. `batch` frames (the hub
 * coalesces events under load) are unpacked: listeners only ever see single messages. When the
 * server cannot replay the whole gap (`recovered: false` or `truncated`, or its epoch is not the
 * one the ids came from) the view is stale: `onResync` rebuilds it, by default by reloading the
 * page, which renders current data and a fresh `since`.
 * @module
 */
import type {
  ClientMessage,
  ServerMessage,
  Topic,
  UpcomingMatch,
} from "../../server/domain/live_protocol.ts";

/** What listeners receive: any server message but `batch`, whose events arrive one by one. */
export type LiveMessage = Exclude<ServerMessage, { type: "batch" }>;

/** What the UI shows about the connection. */
export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline" | "closed";

/** Options of {@link connectLive}. */
export interface LiveSocketOptions {
  topics: Topic[];
  /** Called for every new event (batches unpacked, in order) and for other server messages. */
  onMessage: (message: LiveMessage) => void;
  onStatus?: (status: ConnectionStatus) => void;
  /** Last event id already reflected in the page (from server-rendered data). */
  since?: number;
  /** The epoch of `since` (fleet mode), sent back with it. @default the first one the server names */
  epoch?: string;
  /**
   * Called when missed events cannot be replayed: the view must be rebuilt from `snapshot`
   * (the current matches of the topics, when the server sent them). Events that follow are
   * new ones, in the server's current epoch. @default reloads the page
   */
  onResync?: (snapshot: UpcomingMatch[] | undefined) => void;
  /** @default `ws(s)://<this host>/ws` */
  url?: string;
  /** First reconnect delay, doubled up to `maxDelayMs`. @default 500 */
  baseDelayMs?: number;
  /** @default 15000 */
  maxDelayMs?: number;
  /** Interval of application-level pings that keep proxies from closing the socket. @default 25000 */
  pingMs?: number;
  /** @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
}

/** A running live connection. */
export interface LiveConnection {
  close(): void;
  /** The last event id seen (what `since` will be on the next reconnect). */
  lastEventId(): number | undefined;
  /** The epoch of that id (fleet mode). */
  epoch(): string | undefined;
}

function defaultUrl(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}/ws`;
}

/** Opens a live connection that keeps itself connected until `close()`. */
export function connectLive(options: LiveSocketOptions): LiveConnection {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 15_000;
  const pingMs = options.pingMs ?? 25_000;
  let lastId = options.since;
  let epoch = options.epoch;
  const resync = options.onResync ?? (() => location.reload());
  let attempt = 0;
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const status = (s: ConnectionStatus) => options.onStatus?.(s);

  function open() {
    if (closed) return;
    status(attempt === 0 ? "connecting" : "reconnecting");
    const ws = new Socket(options.url ?? defaultUrl());
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      const subscribe: ClientMessage = { type: "subscribe", topics: options.topics };
      if (lastId !== undefined) subscribe.since = lastId;
      if (lastId !== undefined && epoch !== undefined) subscribe.epoch = epoch;
      ws.send(JSON.stringify(subscribe));
      status("live");
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send({ type: "ping", t: Date.now() }), pingMs);
    };
    ws.onmessage = (e: MessageEvent) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(e.data)) as ServerMessage;
      } catch {
        return;
      }
      for (const m of message.type === "batch" ? message.events : [message]) receive(m);
    };
    ws.onclose = () => {
      clearInterval(pingTimer);
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      const offline = typeof navigator !== "undefined" && navigator.onLine === false;
      status(offline ? "offline" : "reconnecting");
      const delay = Math.min(max, base * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt++;
      retryTimer = setTimeout(open, delay);
    };
    ws.onerror = () => {
      // The close event that follows schedules the reconnect.
    };
  }

  function receive(message: LiveMessage) {
    if (message.type === "odds" || message.type === "value_bet") {
      if (lastId !== undefined && message.event_id <= lastId) return;
      lastId = message.event_id;
    } else if (message.type === "welcome" && lastId === undefined) {
      lastId = message.last_event_id;
      epoch = message.epoch ?? epoch;
    } else if (message.type === "subscribed") {
      const otherEpoch = message.epoch !== undefined && epoch !== undefined &&
        message.epoch !== epoch;
      if (message.epoch !== undefined) epoch = message.epoch;
      if (message.recovered === false || message.truncated || otherEpoch) {
        // What follows is counted from the server's position, in its epoch.
        lastId = message.last_event_id;
        options.onMessage(message);
        resync(message.snapshot);
        return;
      }
    }
    options.onMessage(message);
  }

  function send(message: ClientMessage) {
    if (socket?.readyState === 1) socket.send(JSON.stringify(message));
  }

  function online() {
    if (socket === null && !closed) {
      clearTimeout(retryTimer);
      attempt = 0;
      open();
    }
  }

  if (typeof addEventListener === "function") addEventListener("online", online);
  open();

  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      if (typeof removeEventListener === "function") removeEventListener("online", online);
      socket?.close();
      socket = null;
      status("closed");
    },
    lastEventId: () => lastId,
    epoch: () => epoch,
  };
}
