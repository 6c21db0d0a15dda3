/**
 * A client process of `deno task bench ws`: opens `--count` WebSockets to the server, subscribes
 * each to `--topic` (or, with `--mix`, 10 % to `matches`, 60 % to one league, 30 % to one match of
 * the benchmark server's), and records for every odds event its delivery latency (receipt time minus
 * the publish time carried in the message) and, per socket, gaps and duplicates in event ids.
 * Prints JSON lines `ready` and `report`.
 *
 * By default each client is a lean RFC 6455 client over a plain TCP connection (`--client=raw`:
 * one read loop per socket that parses frames from its own buffer and answers pings), so the
 * load generator's own cost stays small next to the server's, as wrk's does for HTTP;
 * `--client=websocket` uses the runtime's `WebSocket` class instead (what a Deno or browser
 * client pays per message: an event dispatch and a string per frame).
 * @module
 */
import { maskedFrame, rawConnect } from "../server/live/raw_ws_client.ts";
import { emit, JsonLines } from "./ws_lines.ts";

function arg(name: string, fallback: string): string {
  return Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
}

const port = Number(arg("port", "0"));
const count = Number(arg("count", "100"));
const topic = arg("topic", "matches");
const mix = Deno.args.includes("--mix");
const clientKind = arg("client", "raw");
if (clientKind !== "raw" && clientKind !== "websocket") {
  throw new Error(`Invalid --client: "${clientKind}" (raw or websocket)`);
}
/** The same leagues and match ids the benchmark server publishes. */
const LEAGUES = [
  "england-premier-league",
  "spain-laliga",
  "germany-bundesliga",
  "italy-serie-a",
  "france-ligue-1",
  "netherlands-eredivisie",
  "belgium-jupiler-pro-league",
  "egypt-premier-league",
];
function topicOf(i: number): string {
  if (!mix || i % 10 === 0) return topic;
  if (i % 10 <= 6) return `league:${LEAGUES[i % LEAGUES.length]}`;
  return `match:bench:2030-01-01:home-${i % 50}:away-${i % 50}`;
}
const url = `ws://127.0.0.1:${port}/ws`;

/** 1 ms latency buckets up to 60 s. */
const BUCKETS = 60_000;
let hist = new Uint32Array(BUCKETS);
let received = 0;
let gaps = 0;
let duplicates = 0;
let lastByEvent = new Map<number, number>();
const closes = new Map<number, number>();

interface Socket {
  /** The runtime's WebSocket (`--client=websocket`). */
  ws?: WebSocket;
  /** The TCP connection of a raw client. */
  conn?: Deno.TcpConn;
  open: boolean;
  topic: string;
  last: number;
  count: number;
}
const sockets: Socket[] = [];

const EVENT_MARK = '{"type":"odds","event_id":';

/** Records every odds event of a frame (one event, or a `batch` of them) without JSON.parse. */
function onEvents(s: Socket, data: string): void {
  const now = Date.now();
  for (let at = data.indexOf(EVENT_MARK); at >= 0; at = data.indexOf(EVENT_MARK, at + 1)) {
    const i = at + EVENT_MARK.length;
    const id = parseInt(data.slice(i, i + 16), 10);
    const j = data.indexOf('"updated_at":"', i) + 14;
    const latency = now - Date.parse(data.slice(j, j + 24));
    hist[Math.min(BUCKETS - 1, Math.max(0, latency))]++;
    received++;
    s.count++;
    // Ids are consecutive on `matches` (every event); on other topics they only increase.
    if (s.last > 0 && id !== s.last + 1) {
      if (id <= s.last) duplicates++;
      else if (s.topic === "matches") gaps += id - s.last - 1;
    }
    s.last = Math.max(s.last, id);
    const prev = lastByEvent.get(id);
    if (prev === undefined || latency > prev) lastByEvent.set(id, latency);
  }
}

function open(index: number): Promise<void> {
  return clientKind === "raw" ? openRaw(index) : openWebSocket(index);
}

function onText(s: Socket, data: string, subscribed: () => void): void {
  if (data.startsWith('{"type":"odds"') || data.startsWith('{"type":"batch"')) {
    onEvents(s, data);
  } else if (data.startsWith('{"type":"subscribed"')) subscribed();
}

function openWebSocket(index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const s: Socket = { ws, open: true, topic: topicOf(index), last: 0, count: 0 };
    let subscribed = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: "subscribe", topics: [s.topic] }));
    ws.onmessage = (e) =>
      onText(s, e.data as string, () => {
        if (subscribed) return;
        subscribed = true;
        sockets.push(s);
        resolve();
      });
    ws.onclose = (e) => {
      s.open = false;
      closes.set(e.code, (closes.get(e.code) ?? 0) + 1);
      if (!subscribed) reject(new Error(`Socket closed before subscribing (${e.code})`));
    };
  });
}

const decoder = new TextDecoder();

async function openRaw(index: number): Promise<void> {
  const raw = await rawConnect(port);
  if (raw.status !== 101) {
    raw.close();
    throw new Error(`Upgrade refused with HTTP ${raw.status}`);
  }
  const s: Socket = { conn: raw.conn, open: true, topic: topicOf(index), last: 0, count: 0 };
  await raw.sendText(JSON.stringify({ type: "subscribe", topics: [s.topic] }));
  return new Promise((resolve, reject) => {
    let subscribed = false;
    readFrames(s, raw.leftover, () => {
      if (subscribed) return;
      subscribed = true;
      sockets.push(s);
      resolve();
    }).then((code) => {
      s.open = false;
      closes.set(code, (closes.get(code) ?? 0) + 1);
      if (!subscribed) reject(new Error(`Socket closed before subscribing (${code})`));
    });
  });
}

/**
 * Reads server frames until the connection ends; returns the close code (1006 without a close
 * frame). Text frames go to {@link onText}; pings are answered with pongs.
 */
async function readFrames(s: Socket, leftover: Uint8Array, subscribed: () => void) {
  const conn = s.conn!;
  const chunk = new Uint8Array(16 * 1024);
  let data: Uint8Array = leftover;
  let off = 0;
  for (;;) {
    // Every complete frame in data[off..].
    for (;;) {
      if (data.length - off < 2) break;
      const opcode = data[off] & 0x0f;
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
      const payload = data.subarray(pos, pos + len);
      off = pos + len;
      if (opcode === 0x1) onText(s, decoder.decode(payload), subscribed);
      else if (opcode === 0x9) {
        await conn.write(maskedFrame(0xa, payload.slice())).catch(() => 0);
      } else if (opcode === 0x8) {
        const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : 1005;
        await conn.write(maskedFrame(0x8, payload.slice(0, 2))).catch(() => 0);
        close(conn);
        return code;
      }
    }
    // Keep a partial frame (copied: the next read overwrites `chunk`), then read more.
    const rest = off < data.length ? data.slice(off) : null;
    let n: number | null;
    try {
      n = await conn.read(chunk);
    } catch {
      n = null;
    }
    if (n === null) {
      close(conn);
      return 1006;
    }
    if (rest) {
      data = new Uint8Array(rest.length + n);
      data.set(rest);
      data.set(chunk.subarray(0, n), rest.length);
    } else data = chunk.subarray(0, n);
    off = 0;
  }
}

function close(conn: Deno.TcpConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

const BATCH = 250;
let failed = 0;
for (let i = 0; i < count; i += BATCH) {
  const batch = Array.from(
    { length: Math.min(BATCH, count - i) },
    (_, k) =>
      open(i + k).catch(() => {
        failed++;
      }),
  );
  await Promise.all(batch);
}
emit({ type: "ready", connected: sockets.length, failed });

const input = new JsonLines(Deno.stdin.readable);
for (;;) {
  const cmd = await input.next<{ cmd: string }>("cmd", 24 * 3600_000).catch(() => null);
  if (!cmd || cmd.cmd === "exit") break;
  if (cmd.cmd === "report") {
    let min = Infinity;
    let max = 0;
    let open = 0;
    for (const s of sockets) {
      min = Math.min(min, s.count);
      max = Math.max(max, s.count);
      if (s.open) open++;
    }
    const byTopic = new Map<string, [number, number]>();
    for (const s of sockets) {
      const t = byTopic.get(s.topic) ?? [0, 0];
      byTopic.set(s.topic, [t[0] + 1, t[1] + s.count]);
    }
    const sparse: [number, number][] = [];
    hist.forEach((n, ms) => n > 0 && sparse.push([ms, n]));
    emit({
      type: "report",
      received,
      gaps,
      duplicates,
      open,
      per_socket_min: sockets.length ? min : 0,
      per_socket_max: max,
      hist: sparse,
      last_by_event: [...lastByEvent],
      closes: [...closes],
      by_topic: [...byTopic].map(([t, [n, r]]) => [t, n, r]),
    });
  } else if (cmd.cmd === "reset") {
    hist = new Uint32Array(BUCKETS);
    received = 0;
    gaps = 0;
    duplicates = 0;
    lastByEvent = new Map();
    for (const s of sockets) {
      s.count = 0;
    }
    emit({ type: "reset_done" });
  }
}
for (const s of sockets) {
  if (s.ws) s.ws.close();
  else if (s.conn) {
    // A close frame, then the TCP close (the server's socket ends either way).
    await s.conn.write(maskedFrame(0x8, new Uint8Array([0x03, 0xe8]))).catch(() => 0);
    close(s.conn);
  }
}
Deno.exit(0);
