/**
 * A client process of `deno task bench ws`: opens `--count` WebSockets to the server, subscribes
 * each to `--topic` (or, with `--mix`, 10 % to `matches`, 60 % to one league, 30 % to one match of
 * the benchmark server's), and records for every odds event its delivery latency (receipt time minus
 * the publish time carried in the message) and, per socket, gaps and duplicates in event ids.
 * Prints JSON lines `ready` and `report`.
 * @module
 */
import { emit, JsonLines } from "./ws_lines.ts";

function arg(name: string, fallback: string): string {
  return Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
}

const port = Number(arg("port", "0"));
const count = Number(arg("count", "100"));
const topic = arg("topic", "matches");
const mix = Deno.args.includes("--mix");
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
  ws: WebSocket;
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
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const s: Socket = { ws, topic: topicOf(index), last: 0, count: 0 };
    let subscribed = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: "subscribe", topics: [s.topic] }));
    ws.onmessage = (e) => {
      const data = e.data as string;
      if (data.startsWith('{"type":"odds"') || data.startsWith('{"type":"batch"')) {
        onEvents(s, data);
      } else if (!subscribed && data.startsWith('{"type":"subscribed"')) {
        subscribed = true;
        sockets.push(s);
        resolve();
      }
    };
    ws.onclose = (e) => {
      closes.set(e.code, (closes.get(e.code) ?? 0) + 1);
      if (!subscribed) reject(new Error(`Socket closed before subscribing (${e.code})`));
    };
  });
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
      if (s.ws.readyState === WebSocket.OPEN) open++;
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
for (const s of sockets) s.ws.close();
Deno.exit(0);
