/**
 * The drill's report and its invariants, as pure functions of what the drill observed: requests
 * with their status and latency, `/health` samples, each viewer's received event ids, the event
 * ledger, and the phase-specific checks. `buildReport` decides pass or fail; nothing here does
 * I/O, so the rules are unit-tested on their own.
 * @module
 */

/** One REST request the load made. */
export interface RequestSample {
  /** Milliseconds since the drill started. */
  t: number;
  /** `normal`: the fixed-rate load; `abuser`: the one client far over the limit. */
  client: "normal" | "abuser";
  /** HTTP status, or 0 when the request got no answer (connection refused or reset). */
  status: number;
  ms: number;
  /**
   * Only on a 5xx or an unanswered request, to say in the report what failed: the method,
   * host:port and path, and the answer's `error.code` (or why there was no answer).
   */
  failure?: { request: string; code: string };
}

/** One `/health` sample of the service process. */
export interface ResourceSample {
  t: number;
  rss_bytes: number;
  heap_used_bytes: number;
  breakers: Record<string, string>;
  connections: number;
  /** The highest event id seen by then. */
  last_event_id: number;
}

/** A viewer's account at the end of the drill. */
export interface ViewerAccount {
  topics: string[];
  /** Epoch of these ids (fleet mode; "" embedded). @default "" */
  epoch?: string;
  /** Reloads after an epoch change. @default 0 */
  reloads?: number;
  /** Events after this id were owed to the viewer (-1: it never got a welcome). */
  baseline: number;
  received: number[];
  duplicates: number;
  /** A replay told it events were evicted (it had to reload). */
  truncated: boolean;
  reconnects: number;
  subscribed: boolean;
}

/** A named check and its outcome. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** What a phase expects and what the drill saw in it. */
export interface PhaseRecord {
  name: string;
  start: number;
  end: number;
  /** Whether answers without a status (refused connections) are expected, e.g. a restart. */
  expectsUnanswered?: boolean;
  /** Whether viewers may have to reload because the event ids' epoch changed. */
  expectsEpochChange?: boolean;
  /** Whether 429s are expected for the abuser. */
  expectsAbuser?: boolean;
  /**
   * Whether 503s are expected: with Redis unreachable, routes whose data lives only there answer
   * the documented 503 `redis_unavailable`; any other 5xx still fails the drill.
   */
  expectsRedisOutage?: boolean;
  /** The steady state the latency and memory budgets are measured against (one phase). */
  baseline?: boolean;
  /** Whether normal clients' p99 must stay within budget of the steady state. */
  latencyBudget?: boolean;
  /** Events the service published during the phase (ledger growth). */
  eventsPublished: number;
  /** Events all viewers received during the phase. */
  eventsDelivered: number;
  /** Phase-specific checks (breaker cycle, slow consumers cut, state after restart...). */
  checks: Check[];
  /** Figures worth printing (drain time, close codes...). */
  notes: Record<string, unknown>;
}

/** Everything {@link buildReport} needs. */
export interface DrillObservations {
  mode: "embedded" | "fleet";
  viewers: number;
  requests: RequestSample[];
  resources: ResourceSample[];
  phases: PhaseRecord[];
  accounts: ViewerAccount[];
  /** Ledger of the current epoch: event id -> topics. */
  ledger: Map<number, string[]>;
  /** The service's last event id at the end (a fresh connection's welcome). */
  lastEventId: number;
  /** Fleet mode: the current epoch and the ledgers of earlier ones. @default "" and none */
  epoch?: string;
  pastEpochs?: Map<string, Map<number, string[]>>;
  budgets: Budgets;
}

/** Limits the invariants use. */
export interface Budgets {
  /** A phase's normal p99 may be this many times the steady state's. @default 2 */
  p99Factor: number;
  /** ... or this many ms above it, whichever is larger (noise floor of a shared machine). */
  p99FloorMs: number;
  /** Peak RSS may exceed the steady state's by this much. */
  rssHeadroomBytes: number;
  /** RSS growth allowed over the last phase, after its first fifth (warm-up). */
  rssGrowth: number;
}

/** Default {@link Budgets}. */
export const DEFAULT_BUDGETS: Budgets = {
  p99Factor: 2,
  p99FloorMs: 25,
  rssHeadroomBytes: 256 * 2 ** 20,
  rssGrowth: 0.1,
};

/** Per-phase figures of the report. */
export interface PhaseReport {
  name: string;
  seconds: number;
  statuses: Record<string, number>;
  abuser_statuses: Record<string, number>;
  p50_ms: number;
  p99_ms: number;
  /** One-sided 95 % bounds of the p99 by order statistics: what a phase's few hundred requests can tell. */
  p99_bounds_ms: { low: number; high: number };
  events_published: number;
  events_delivered: number;
  rss_mb: { min: number; max: number; last: number };
  heap_mb: { max: number };
  breaker_transitions: string[];
  checks: Check[];
  notes: Record<string, unknown>;
}

/** Per-viewer delivery totals. */
export interface DeliveryReport {
  viewers: number;
  expected: number;
  received: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  truncated_viewers: number;
  /** Reloads after an epoch change. */
  reloads: number;
  not_subscribed: number;
  reconnects: number;
  ledger_gaps: number;
  /** Viewers with the largest shortfall (index, expected, received). */
  worst: { viewer: number; expected: number; received: number }[];
}

/** The whole report. */
export interface DrillReport {
  mode: "embedded" | "fleet";
  ok: boolean;
  phases: PhaseReport[];
  delivery: DeliveryReport;
  invariants: Check[];
}

/** The `p`-th percentile (0-100) by nearest rank; 0 for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * Compares what each viewer received with what it was owed: every ledger event after its
 * baseline, up to `lastEventId`, on one of its topics. Ledger gaps are ids no full viewer saw.
 */
export function deliveryOf(
  accounts: ViewerAccount[],
  ledger: Map<number, string[]>,
  lastEventId: number,
): DeliveryReport {
  const out: DeliveryReport = {
    viewers: accounts.length,
    expected: 0,
    received: 0,
    missing: 0,
    duplicates: 0,
    unexpected: 0,
    truncated_viewers: 0,
    reloads: 0,
    not_subscribed: 0,
    reconnects: 0,
    ledger_gaps: 0,
    worst: [],
  };
  const baselines = accounts.map((a) => a.baseline).filter((b) => b >= 0);
  const floor = baselines.length ? Math.min(...baselines) : lastEventId;
  for (let id = floor + 1; id <= lastEventId; id++) if (!ledger.has(id)) out.ledger_gaps++;
  const shortfalls: { viewer: number; expected: number; received: number }[] = [];
  accounts.forEach((a, viewer) => {
    const topics = new Set(a.topics);
    const got = new Set(a.received.filter((id) => id <= lastEventId));
    let expected = 0;
    let missing = 0;
    for (const [id, eventTopics] of ledger) {
      if (id <= a.baseline || id > lastEventId) continue;
      if (!eventTopics.some((t) => topics.has(t))) continue;
      expected++;
      if (!got.has(id)) missing++;
    }
    let unexpected = 0;
    for (const id of got) {
      const t = ledger.get(id);
      if (t && !t.some((x) => topics.has(x))) unexpected++;
    }
    out.expected += expected;
    out.received += got.size;
    out.missing += missing;
    out.unexpected += unexpected;
    out.duplicates += a.duplicates;
    out.reconnects += a.reconnects;
    out.reloads += a.reloads ?? 0;
    if (a.truncated) out.truncated_viewers++;
    if (!a.subscribed) out.not_subscribed++;
    if (missing > 0) shortfalls.push({ viewer, expected, received: expected - missing });
  });
  out.worst = shortfalls.sort((x, y) => (y.expected - y.received) - (x.expected - x.received))
    .slice(0, 5);
  return out;
}

function countBy<T>(items: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

const MB = 2 ** 20;
const mb = (b: number) => Math.round(b / MB);

function transitions(samples: ResourceSample[], before: ResourceSample | undefined): string[] {
  const out: string[] = [];
  let prev = before?.breakers ?? {};
  for (const s of samples) {
    for (const [source, state] of Object.entries(s.breakers)) {
      if (prev[source] !== undefined && prev[source] !== state) {
        out.push(`${(s.t / 1000).toFixed(1)}s ${source}: ${prev[source]} -> ${state}`);
      }
    }
    prev = s.breakers;
  }
  return out;
}

function roundBounds(b: { low: number; high: number }) {
  return { low: Math.round(b.low * 10) / 10, high: Math.round(b.high * 10) / 10 };
}

function phaseReport(p: PhaseRecord, o: DrillObservations): PhaseReport {
  const inPhase = <T extends { t: number }>(x: T) => x.t >= p.start && x.t < p.end;
  const requests = o.requests.filter(inPhase);
  const normal = requests.filter((r) => r.client === "normal");
  const answered = normal.filter((r) => r.status > 0).map((r) => r.ms);
  const samples = o.resources.filter(inPhase);
  const before = o.resources.filter((s) => s.t < p.start).at(-1);
  const rss = samples.map((s) => s.rss_bytes);
  return {
    name: p.name,
    seconds: Math.round((p.end - p.start) / 100) / 10,
    statuses: countBy(normal, (r) => String(r.status)),
    abuser_statuses: countBy(
      requests.filter((r) => r.client === "abuser"),
      (r) => String(r.status),
    ),
    p50_ms: Math.round(percentile(answered, 50) * 10) / 10,
    p99_ms: Math.round(percentile(answered, 99) * 10) / 10,
    p99_bounds_ms: roundBounds(percentileBounds(answered, 99)),
    events_published: p.eventsPublished,
    events_delivered: p.eventsDelivered,
    rss_mb: {
      min: rss.length ? mb(Math.min(...rss)) : 0,
      max: rss.length ? mb(Math.max(...rss)) : 0,
      last: rss.length ? mb(rss.at(-1)!) : 0,
    },
    heap_mb: { max: samples.length ? mb(Math.max(...samples.map((s) => s.heap_used_bytes))) : 0 },
    breaker_transitions: transitions(samples, before),
    checks: p.checks,
    notes: p.notes,
  };
}

/**
 * Distribution-free one-sided 95 % confidence bounds for the `p`-th percentile: the order
 * statistics at ranks n·q ∓ 1.645·√(n·q·(1−q)) (normal approximation of the binomial count of
 * values below the true percentile). A two-minute drill's phase holds ~500 requests, so its p99
 * is the 5th-slowest request: one garbage-collection pause moves it by tens of ms, and a check
 * that compared point estimates failed on noise (steady 30.8 ms, a later phase 72.4 ms, both
 * within the run-to-run spread of the same phase).
 */
export function percentileBounds(values: number[], p: number): { low: number; high: number } {
  const n = values.length;
  if (n === 0) return { low: 0, high: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const q = p / 100;
  const spread = 1.645 * Math.sqrt(n * q * (1 - q));
  const at = (rank: number) => sorted[Math.min(n - 1, Math.max(0, rank - 1))];
  return { low: at(Math.floor(n * q - spread)), high: at(Math.ceil(n * q + spread)) };
}

/**
 * RSS growth over `samples` after the first fifth of them (warm-up), as a fraction: the median
 * of the last quarter against the median of the first quarter of what is left. Null when the
 * samples span less than `minSpanMs` (a fresh process warming up is not a leak).
 */
export function rssGrowth(samples: ResourceSample[], minSpanMs = 60_000): number | null {
  if (samples.length < 2 || samples.at(-1)!.t - samples[0].t < minSpanMs) return null;
  const warm = samples.slice(Math.floor(samples.length / 5));
  const quarter = Math.max(1, Math.floor(warm.length / 4));
  const median = (xs: number[]) => percentile(xs, 50);
  const first = median(warm.slice(0, quarter).map((s) => s.rss_bytes));
  const last = median(warm.slice(-quarter).map((s) => s.rss_bytes));
  return first > 0 ? (last - first) / first : 0;
}

/**
 * {@link deliveryOf} over every epoch: the current one up to the service's last id, each earlier
 * one up to the last id its ledger holds (what came after it is past knowing).
 */
export function deliveryAcrossEpochs(o: DrillObservations): DrillReport["delivery"] {
  const current = o.epoch ?? "";
  const total = deliveryOf(
    o.accounts.filter((a) => (a.epoch ?? "") === current),
    o.ledger,
    o.lastEventId,
  );
  for (const [epoch, ledger] of o.pastEpochs ?? []) {
    if (epoch === current) continue;
    const d = deliveryOf(
      o.accounts.filter((a) => (a.epoch ?? "") === epoch),
      ledger,
      Math.max(0, ...ledger.keys()),
    );
    for (const k of Object.keys(total) as (keyof DeliveryReport)[]) {
      if (k === "worst") total.worst.push(...d.worst);
      else if (k !== "viewers") total[k] += d[k];
    }
  }
  return total;
}

/** Builds the report and decides every invariant. */
export function buildReport(o: DrillObservations): DrillReport {
  const phases = o.phases.map((p) => phaseReport(p, o));
  const delivery = deliveryAcrossEpochs(o);
  const epochChangeExpected = o.phases.some((p) => p.expectsEpochChange);
  const b = o.budgets;
  const invariants: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) =>
    invariants.push({ name, ok, detail });

  check(
    "no event lost",
    delivery.missing === 0 && delivery.ledger_gaps === 0,
    `${delivery.missing} missing across ${delivery.viewers} viewers, ${delivery.ledger_gaps} ids ` +
      `no full viewer saw (of ${delivery.expected} owed)`,
  );
  check(
    "no event duplicated or misrouted",
    delivery.duplicates === 0 && delivery.unexpected === 0,
    `${delivery.duplicates} duplicates, ${delivery.unexpected} on topics not subscribed`,
  );
  check(
    "every viewer recovered",
    delivery.not_subscribed === 0 && delivery.truncated_viewers === 0 &&
      (epochChangeExpected || delivery.reloads === 0),
    `${delivery.not_subscribed} not subscribed at the end, ${delivery.truncated_viewers} told ` +
      `to reload in the same epoch, ${delivery.reloads} reloads after an epoch change${
        epochChangeExpected ? " (expected)" : ""
      }, ${delivery.reconnects} reconnects`,
  );

  // A request is judged by every phase it was in flight during, not only the one it was sent
  // in: one sent in the last milliseconds before Redis is stopped meets the outage, and its 503
  // is the documented answer to the next phase's fault.
  const during = (r: RequestSample, expects: (p: PhaseRecord) => boolean | undefined) =>
    o.phases.some((p) => expects(p) && r.t < p.end && r.t + r.ms >= p.start);
  const unexpected = (r: RequestSample) =>
    (r.status >= 500 && !(r.status === 503 && during(r, (p) => p.expectsRedisOutage))) ||
    (r.status === 0 && !during(r, (p) => p.expectsUnanswered));
  const unexpected5xx = o.phases.map((p, i) => {
    const found = o.requests.filter((r) => r.t >= p.start && r.t < p.end && unexpected(r));
    return [phases[i].name, found] as const;
  }).filter(([, found]) => found.length > 0);
  // The first few failures in full: a CI run that fails here must say what failed.
  const shown = unexpected5xx.flatMap(([, found]) => found).slice(0, 5).map((r) =>
    `${(r.t / 1000).toFixed(1)} s ${r.status} ${r.failure?.code ?? "?"} ` +
    `${r.failure?.request ?? "?"} after ${Math.round(r.ms)} ms`
  );
  check(
    "no unexpected 5xx",
    unexpected5xx.length === 0,
    unexpected5xx.length
      ? unexpected5xx.map(([name, found]) => `${name}: ${found.length}`).join(", ") +
        ` (${shown.join("; ")})`
      : "none (unanswered requests only where a restart expects them, 503 only while Redis is away)",
  );

  const normal429 = o.requests.filter((r) => r.client === "normal" && r.status === 429).length;
  const abuserPhases = o.phases.filter((p) => p.expectsAbuser);
  const abuser429 = o.requests.filter((r) => r.client === "abuser" && r.status === 429).length;
  check(
    "only the abusive client is limited",
    normal429 === 0 && (abuserPhases.length === 0 || abuser429 > 0),
    `abuser: ${abuser429} x 429; everyone else: ${normal429} x 429`,
  );

  const baselineIndex = Math.max(0, o.phases.findIndex((p) => p.baseline));
  const steady = phases[baselineIndex];
  // Judged with the noise a phase's sample carries: a phase is over budget when even the low
  // bound of its p99 exceeds the budget set from the high bound of the steady state's.
  const steadyHigh = steady.p99_bounds_ms.high;
  const budget = Math.max(steadyHigh * b.p99Factor, steadyHigh + b.p99FloorMs);
  const over = phases.filter((p, i) => o.phases[i].latencyBudget && p.p99_bounds_ms.low > budget);
  const range = (p: PhaseReport) =>
    `${p.p99_ms} ms [${p.p99_bounds_ms.low}, ${p.p99_bounds_ms.high}]`;
  check(
    "p99 within budget",
    over.length === 0,
    `steady p99 ${range(steady)}, budget ${budget} ms (${b.p99Factor}x or +${b.p99FloorMs} ms ` +
      `over its high bound); judged: ${
        phases.filter((_, i) => o.phases[i].latencyBudget).map((p) => `${p.name} ${range(p)}`)
          .join(", ")
      }` +
      (over.length ? `; over: ${over.map((p) => p.name).join(", ")}` : ""),
  );

  const base = o.phases[baselineIndex];
  const steadyRss = o.resources.filter((s) => s.t >= base.start && s.t < base.end)
    .map((s) => s.rss_bytes);
  const baseRss = percentile(steadyRss, 50);
  const peakRss = Math.max(0, ...o.resources.map((s) => s.rss_bytes));
  const last = o.phases.at(-1)!;
  const growth = rssGrowth(o.resources.filter((s) => s.t >= last.start && s.t < last.end));
  check(
    "memory bounded",
    peakRss <= baseRss + b.rssHeadroomBytes && (growth === null || growth <= b.rssGrowth),
    `steady ${mb(baseRss)} MB, peak ${mb(peakRss)} MB (limit ${
      mb(baseRss + b.rssHeadroomBytes)
    }), growth over "${last.name}" after warm-up ${
      growth === null ? "not judged (under 60 s)" : `${(growth * 100).toFixed(1)} %`
    } (limit ${b.rssGrowth * 100} %)`,
  );

  for (const p of phases) for (const c of p.checks) check(`${p.name}: ${c.name}`, c.ok, c.detail);
  return { mode: o.mode, ok: invariants.every((c) => c.ok), phases, delivery, invariants };
}

/** The report as text for a terminal. */
export function formatReport(r: DrillReport): string {
  const lines: string[] = [];
  lines.push(`drill (${r.mode}): ${r.ok ? "PASS" : "FAIL"}`);
  lines.push("");
  lines.push(
    "phase              s   requests by status            p50 ms  p99 ms  events pub/recv   RSS MB max  heap MB",
  );
  for (const p of r.phases) {
    const st = Object.entries(p.statuses).map(([k, v]) => `${k}:${v}`).join(" ");
    const ab = Object.entries(p.abuser_statuses).map(([k, v]) => `${k}:${v}`).join(" ");
    lines.push(
      `${p.name.padEnd(18)} ${String(p.seconds).padStart(4)} ${
        (st + (ab ? ` | abuser ${ab}` : "")).padEnd(30)
      } ${String(p.p50_ms).padStart(6)} ${String(p.p99_ms).padStart(7)} ${
        `${p.events_published}/${p.events_delivered}`.padStart(16)
      } ${String(p.rss_mb.max).padStart(11)} ${String(p.heap_mb.max).padStart(8)}`,
    );
    for (const t of p.breaker_transitions) lines.push(`    breaker ${t}`);
    const notes = Object.entries(p.notes).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    if (notes.length) lines.push(`    ${notes.join("  ")}`);
  }
  const d = r.delivery;
  lines.push("");
  lines.push(
    `viewers ${d.viewers}: owed ${d.expected}, received ${d.received}, missing ${d.missing}, ` +
      `duplicates ${d.duplicates}, misrouted ${d.unexpected}, reconnects ${d.reconnects}, ` +
      `told to reload ${d.truncated_viewers}, epoch reloads ${d.reloads}, ledger gaps ${d.ledger_gaps}`,
  );
  for (const w of d.worst) {
    lines.push(`    viewer ${w.viewer}: received ${w.received} of ${w.expected}`);
  }
  lines.push("");
  for (const c of r.invariants) lines.push(`${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
  return lines.join("\n");
}
