/**
 * What both drills share: the odds boards and the sources file pointing at them, the service
 * environment, the viewers' topics and addresses, the phase runner, the `/health` sampler with
 * its progress lines, and small waits and probes.
 * @module
 */
import { LEAGUES } from "../../server/domain/leagues.ts";
import { rawConnect } from "../../server/live/raw_ws_client.ts";
import { DrillSources } from "./odds_source.ts";
import type { HealthSample } from "./service.ts";
import type { RequestSample } from "./report.ts";
import { type LoadFixture, RestLoad } from "./rest_load.ts";
import type { EventLedger } from "./viewers.ts";
import { FrameReader } from "./frames.ts";
import { type Check, percentile, type PhaseRecord, type ResourceSample } from "./report.ts";

const ROOT = new URL("../../", import.meta.url);

/** The board the drill breaks and the one it leaves alone. */
export const BROKEN = "drill-a";
export const STEADY_SOURCE = "drill-b";

/** Rate limit of the drill's services: long windows so a restart lands inside one. */
export const RATE_LIMIT = { requests: 300, windowSeconds: 600 };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `done` every `pollMs` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  pollMs = 250,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await done()) return true;
    await sleep(pollMs);
  }
  return await done();
}

export async function trainedLeagues(): Promise<string[]> {
  const out: string[] = [];
  for (const l of LEAGUES) {
    try {
      await Deno.stat(new URL(`models/${l.key}/model.json`, ROOT));
      out.push(l.key);
    } catch { /* untrained league */ }
  }
  return out;
}

/**
 * `fetch` with a deadline on the whole exchange (the body too): a service that stops answering
 * fails the drill with what it was asked, instead of hanging it.
 */
export async function timedFetch(
  url: string,
  init: RequestInit = {},
  timeoutMs = 10_000,
): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(
      `${init.method ?? "GET"} ${url}: no answer within ${timeoutMs} ms (${
        error instanceof Error ? error.message : error
      })`,
    );
  }
}

/** Polls `count` until it has not changed for `quietMs` (or `timeoutMs` passes); whether it did. */
export async function waitQuiet(
  count: () => number,
  quietMs: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let last = count();
  let since = performance.now();
  while (performance.now() < deadline) {
    await sleep(250);
    const n = count();
    if (n !== last) [last, since] = [n, performance.now()];
    else if (performance.now() - since >= quietMs) return true;
  }
  return false;
}

/** The service's last event id: the `welcome` of a fresh connection. */
export async function lastEventId(port: number, timeoutMs = 15_000): Promise<number> {
  let timedOut = false;
  let raw: Awaited<ReturnType<typeof rawConnect>> | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    raw?.close();
  }, timeoutMs);
  try {
    raw = await rawConnect(port, { headers: { "x-forwarded-for": "192.0.2.200" } });
    if (timedOut) throw new Error("late");
    const reader = new FrameReader();
    let frames = reader.push(raw.leftover);
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      for (const f of frames) {
        const text = new TextDecoder().decode(f.payload);
        if (f.opcode === 1 && text.startsWith('{"type":"welcome"')) {
          return JSON.parse(text).last_event_id;
        }
      }
      const n = await raw.conn.read(buf);
      if (n === null) throw new Error("Closed before its welcome");
      frames = reader.push(buf.subarray(0, n));
    }
  } catch (error) {
    if (!timedOut) throw error;
    throw new Error(`No WebSocket welcome from port ${port} within ${timeoutMs} ms`);
  } finally {
    clearTimeout(timer);
    raw?.close();
  }
}

export interface UpcomingRow {
  id: string;
  league: string;
  source: string;
}

export async function upcoming(url: string): Promise<UpcomingRow[]> {
  const res = await timedFetch(`${url}/api/v1/matches/upcoming?limit=500`, {
    headers: { "x-forwarded-for": "192.0.2.201" },
  });
  if (!res.ok) {
    await res.body?.cancel();
    return [];
  }
  return (await res.json()).matches;
}

/** Starts the two boards (half the trained leagues each) and writes the sources file. */
export async function startBoards(dir: string): Promise<{ sources: DrillSources; file: string }> {
  const leagues = await trainedLeagues();
  const half = Math.ceil(leagues.length / 2);
  const sources = await DrillSources.start({
    boards: { [BROKEN]: leagues.slice(0, half), [STEADY_SOURCE]: leagues.slice(half) },
    tickMs: 200,
    modelsDir: new URL("models", ROOT).pathname,
  });
  const file = `${dir}/sources.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify(sources.names.map((name) => ({
      name,
      url: sources.url(name),
      interval_ms: 1000,
      parser: "html",
      timeout_ms: 1000,
    }))),
  );
  return { sources, file };
}

/** The environment of one drill service (its KV file is `<dir>/<name>.kv`). */
export function serviceEnv(dir: string, name: string, sourcesFile: string): Record<string, string> {
  return {
    KV_PATH: `${dir}/${name}.kv`,
    DEMO_BOOKMAKER: "false",
    ODDS_SOURCES: sourcesFile,
    TRUST_PROXY: "1",
    RATE_LIMIT_REQUESTS: String(RATE_LIMIT.requests),
    RATE_LIMIT_WINDOW_SECONDS: String(RATE_LIMIT.windowSeconds),
    SHUTDOWN_DRAIN_MS: "3000",
    SHUTDOWN_TIMEOUT_MS: "10000",
    LOG_LEVEL: "warn",
  };
}

/** Waits until the service lists every board fixture; returns its rows. */
export async function listedMatches(url: string, fixtures: number): Promise<UpcomingRow[]> {
  let rows: UpcomingRow[] = [];
  const listed = await waitFor(
    async () => {
      rows = await upcoming(url);
      return rows.length >= fixtures;
    },
    30_000,
    500,
  );
  if (!listed) throw new Error("The service did not list the drill boards' matches in 30 s");
  return rows;
}

/** Viewer topics: 10 % `matches` + `value-bets`, 60 % one league, 30 % one match. */
export function viewerTopics(count: number, rows: UpcomingRow[]): string[][] {
  const leagueKeys = [...new Set(rows.map((r) => r.league))];
  return Array.from({ length: count }, (_, i) => {
    if (i % 10 === 0) return ["matches", "value-bets"];
    if (i % 10 <= 6) return [`league:${leagueKeys[i % leagueKeys.length]}`];
    return [`match:${rows[i % rows.length].id}`];
  });
}

/** Ten viewers per address: under the per-address socket limit, like households on a NAT. */
export function viewerAddress(i: number): string {
  return `10.0.${Math.floor(i / 2500)}.${1 + (Math.floor(i / 10) % 250)}`;
}

/** The flags a phase may set. */
export type PhaseFlags = Partial<
  Pick<
    PhaseRecord,
    | "expectsUnanswered"
    | "expectsAbuser"
    | "latencyBudget"
    | "baseline"
    | "expectsEpochChange"
    | "expectsRedisOutage"
  >
>;

/** Runs phases one after another and records them. */
export class Timeline {
  readonly phases: PhaseRecord[] = [];
  current = "setup";
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #events: () => number;
  readonly #deliveries: () => number;

  /** `events`: events seen so far; `deliveries`: events received by all viewers so far. */
  constructor(
    now: () => number,
    log: (line: string) => void,
    counters: { events: () => number; deliveries: () => number },
  ) {
    this.#now = now;
    this.#log = log;
    this.#events = counters.events;
    this.#deliveries = counters.deliveries;
  }

  async phase(
    name: string,
    flags: PhaseFlags,
    body: (checks: Check[], notes: Record<string, unknown>) => Promise<void>,
  ): Promise<void> {
    this.current = name;
    this.#log(`phase ${name}`);
    const rec: PhaseRecord = {
      name,
      start: this.#now(),
      end: 0,
      ...flags,
      eventsPublished: 0,
      eventsDelivered: 0,
      checks: [],
      notes: {},
    };
    const e0 = this.#events();
    const d0 = this.#deliveries();
    await body(rec.checks, rec.notes);
    rec.end = this.#now();
    rec.eventsPublished = this.#events() - e0;
    rec.eventsDelivered = this.#deliveries() - d0;
    this.phases.push(rec);
    for (const c of rec.checks) this.#log(`  ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
  }
}

/** Options of {@link startSampler}. */
export interface SamplerOptions {
  now: () => number;
  log: (line: string) => void;
  /** `/health` of every instance up now. */
  health: () => Promise<(HealthSample | null)[]>;
  events: () => number;
  requests: RequestSample[];
  timeline: Timeline;
  viewers: { subscribedCount(): number; size: number };
  into: ResourceSample[];
}

/** Samples `/health` every second (the largest RSS and heap of the instances), logs every 10 s. */
export function startSampler(o: SamplerOptions): { stop(): Promise<void> } {
  let running = true;
  const done = (async () => {
    let lastLog = 0;
    while (running) {
      const hs = (await o.health()).filter((h): h is HealthSample => h !== null);
      if (hs.length > 0) {
        o.into.push({
          t: o.now(),
          rss_bytes: Math.max(...hs.map((h) => h.rss_bytes)),
          heap_used_bytes: Math.max(...hs.map((h) => h.heap_used_bytes)),
          breakers: hs[0].breakers,
          connections: hs.reduce((n, h) => n + h.connections, 0),
          last_event_id: o.events(),
        });
      }
      if (o.now() - lastLog >= 10_000) {
        lastLog = o.now();
        const recent = o.requests.filter((s) => s.t > o.now() - 10_000 && s.status > 0);
        const rss = hs.length ? Math.round(Math.max(...hs.map((h) => h.rss_bytes)) / 2 ** 20) : "?";
        o.log(
          `[${(o.now() / 1000).toFixed(0)}s] ${o.timeline.current}: ` +
            `${o.viewers.subscribedCount()}/${o.viewers.size} viewers, events ${o.events()}, ` +
            `REST p99 ${percentile(recent.map((s) => s.ms), 99).toFixed(1)} ms, ` +
            `instances up ${hs.length}, RSS ${rss} MB, breakers ${
              JSON.stringify(hs[0]?.breakers ?? {})
            }`,
        );
      }
      await sleep(1000);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Options of {@link startTraffic}. */
export interface TrafficOptions {
  now: () => number;
  log: (line: string) => void;
  /** Base URLs of the instances up now. */
  urls: () => string[];
  health: () => Promise<(HealthSample | null)[]>;
  rate: number;
  fixtures: LoadFixture[];
  viewers: { subscribedCount(): number; size: number; deliveries: number; ledger: EventLedger };
  into: ResourceSample[];
}

/** Starts the REST load, the timeline and the sampler over already connected viewers. */
export function startTraffic(o: TrafficOptions) {
  const load = new RestLoad({
    urls: o.urls,
    rate: o.rate,
    clients: 200,
    fixtures: () => o.fixtures,
    now: o.now,
  });
  load.start();
  const events = () => o.viewers.ledger.total;
  const timeline = new Timeline(o.now, o.log, { events, deliveries: () => o.viewers.deliveries });
  const sampler = startSampler({
    now: o.now,
    log: o.log,
    health: o.health,
    events,
    requests: load.samples,
    timeline,
    viewers: o.viewers,
    into: o.into,
  });
  return { load, timeline, sampler };
}
