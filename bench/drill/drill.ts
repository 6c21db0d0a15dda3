/**
 * The embedded drill's timeline: one service process, two drill-owned odds boards, N viewers,
 * the fixed-rate REST load, and the scripted phases (steady state, odds source failing, one
 * client over the rate limit, misbehaving WebSocket clients, a restart on the same KV file,
 * steady state again). Observations go to `buildReport`, which decides the invariants.
 * @module
 */
import { freePort } from "../../deploy/testing/service_process.ts";
import { DrillService } from "./service.ts";
import { ViewerPool } from "./viewers.ts";
import { readRateLimit, type RestLoad } from "./rest_load.ts";
import { type AbuserKind, EXPECTED_CLOSE, startAbuser } from "./ws_abusers.ts";
import { buildReport, DEFAULT_BUDGETS, type DrillReport, type ResourceSample } from "./report.ts";
import {
  BROKEN,
  lastEventId,
  listedMatches,
  RATE_LIMIT,
  serviceEnv,
  sleep,
  startBoards,
  startTraffic,
  STEADY_SOURCE,
  timedFetch,
  upcoming,
  viewerAddress,
  viewerTopics,
  waitFor,
  waitQuiet,
} from "./harness.ts";

/** Options of {@link runDrill}. */
export interface DrillOptions {
  /** Planned length; phases stretch with it (the odds phase needs about 80 s whatever it is). */
  minutes: number;
  viewers: number;
  /** Normal REST load, requests per second. @default 40 */
  rate?: number;
  /** Test-only loss in the viewers' accounting (see `ViewerPoolOptions.dropEveryNth`). */
  dropEveryNth?: number;
  /** Progress lines. */
  log: (line: string) => void;
}

/** The report plus the time series the picture is drawn from. */
export interface DrillResult {
  report: DrillReport;
  resources: ResourceSample[];
  requests: { t: number; ms: number; status: number; client: string }[];
  phases: { name: string; start: number; end: number }[];
}

/** Runs the embedded drill. */
export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log;
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const dir = await Deno.makeTempDir({ prefix: "sabiscore-drill-" });
  const { sources, file } = await startBoards(dir);
  const port = freePort();
  const service = new DrillService({ port, env: serviceEnv(dir, "service", file) });
  const resources: ResourceSample[] = [];
  let pool: ViewerPool | undefined;
  let load: RestLoad | undefined;
  let sampler: { stop(): Promise<void> } | undefined;
  try {
    log(`starting the service on port ${port} (KV ${dir}/service.kv)`);
    const bootMs = await service.start();
    log(`service ready in ${Math.round(bootMs)} ms`);
    const rows = await listedMatches(service.url, sources.fixtures().length);
    const idsOf = (source: string) =>
      new Set(rows.filter((r) => r.source === source).map((r) => r.id));
    const brokenIds = idsOf(BROKEN);
    const steadyIds = idsOf(STEADY_SOURCE);
    pool = new ViewerPool({
      ports: () => [port],
      topics: viewerTopics(options.viewers, rows),
      addressOf: viewerAddress,
      dropEveryNth: options.dropEveryNth,
    });
    const viewers = pool;
    const ledger = pool.ledger;
    await pool.connect();
    log(`${pool.subscribedCount()} viewers subscribed (${rows.length} matches)`);
    const traffic = startTraffic({
      now,
      log,
      urls: () => [service.url],
      health: async () => [await service.health()],
      rate: options.rate ?? 40,
      fixtures: sources.fixtures(),
      viewers,
      into: resources,
    });
    const { load: restLoad, timeline } = traffic;
    load = restLoad;
    sampler = traffic.sampler;
    const phase = timeline.phase.bind(timeline);
    const T = options.minutes * 60;
    const steadyS = Math.max(10, 0.1 * T);
    const rateS = Math.max(12, 0.1 * T);
    const slowS = Math.max(15, 0.1 * T);
    const finalS = Math.max(10, T - steadyS - rateS - slowS - 100);
    const eventsOn = (ids: Set<string>, after: number) =>
      [...ledger.topics].filter(([id, t]) => id > after && ids.has(t[0].slice(6))).length;

    // Model sessions, caches and the JIT warm up before the baseline is measured.
    await phase("warm-up", {}, async () => await sleep(8_000));
    await phase("steady", { baseline: true }, async () => await sleep(steadyS * 1000));

    await phase("odds-source-fails", { latencyBudget: true }, async (checks, notes) => {
      const h0 = (await service.health())!;
      sources.setMode(BROKEN, "garbage");
      await sleep(1500);
      const accepted = (await service.health())!.rows_accepted[BROKEN];
      const mark = ledger.maxId;
      await sleep(3500);
      const h1 = (await service.health())!;
      checks.push({
        name: "a garbage page gives no prices",
        ok: h1.rows_accepted[BROKEN] === accepted && eventsOn(brokenIds, mark) === 0 &&
          h1.breakers[BROKEN] === "closed",
        detail: `rows accepted ${accepted} -> ${h1.rows_accepted[BROKEN]}, events on its matches ` +
          `${eventsOn(brokenIds, mark)}, breaker ${h1.breakers[BROKEN]}`,
      });
      sources.setMode(BROKEN, "errors");
      const f0 = h0.source_failures[BROKEN];
      await waitFor(
        async () => ((await service.health())?.source_failures[BROKEN] ?? 0) >= f0 + 3,
        20_000,
      );
      sources.setMode(BROKEN, "hang");
      const openAt = now();
      const opened = await waitFor(
        async () => (await service.health())?.breakers[BROKEN] === "open",
        30_000,
      );
      notes.requests_at_board = sources.counts()[BROKEN];
      checks.push({
        name: "errors then hangs open the breaker",
        ok: opened,
        detail: opened
          ? `open ${((now() - openAt) / 1000).toFixed(1)} s after the hangs began`
          : "never opened",
      });
      const served = (await upcoming(service.url)).filter((r) => r.source === BROKEN).length;
      notes.fallback_matches_served = served;
      checks.push({
        name: "its last prices are still served",
        ok: served === brokenIds.size,
        detail: `${served} of ${brokenIds.size} matches of the failing board listed`,
      });
      const steadyMark = ledger.maxId;
      sources.setMode(BROKEN, "healthy");
      const healthyAt = now();
      const closed = await waitFor(
        async () => (await service.health())?.breakers[BROKEN] === "closed",
        90_000,
        500,
      );
      checks.push({
        name: "the breaker closes when the source recovers",
        ok: closed,
        detail: closed
          ? `closed ${((now() - healthyAt) / 1000).toFixed(1)} s after recovery (60 s reset)`
          : "still not closed after 90 s",
      });
      const resumeMark = ledger.maxId;
      const resumed = await waitFor(() => eventsOn(brokenIds, resumeMark) > 0, 10_000);
      checks.push({
        name: "its odds events resume",
        ok: resumed,
        detail: `${eventsOn(brokenIds, resumeMark)} events on its matches after the breaker closed`,
      });
      const other = eventsOn(steadyIds, steadyMark);
      const otherBreaker = resources.filter((s) => s.t >= openAt).every((s) =>
        s.breakers[STEADY_SOURCE] === "closed"
      );
      checks.push({
        name: "the other source is not affected",
        ok: other > 0 && otherBreaker,
        detail: `${other} events from "${STEADY_SOURCE}" while "${BROKEN}" was open; its breaker ${
          otherBreaker ? "stayed closed" : "moved"
        }`,
      });
    });

    await phase("rate-limit-abuse", { expectsAbuser: true, latencyBudget: true }, async () => {
      restLoad.abuse(50);
      await sleep(rateS * 1000);
      restLoad.abuse(0);
    });

    await phase("slow-ws-clients", {}, async (checks, notes) => {
      const closesBefore = JSON.stringify(viewers.closeCodes());
      const kinds: AbuserKind[] = ["never-reads", "slow-reader", "oversized-frame"];
      const abusers = await Promise.all(
        Array.from(
          { length: 15 },
          (_, i) => startAbuser(port, kinds[i % 3], `198.51.100.${i + 1}`),
        ),
      );
      // The abusers are asked for their close code after at most 15 s: `ws` destroys a socket 30 s
      // after sending its close frame when the peer does not answer it, so a client that never
      // reads, asked only at the end of a long phase (180 s in a 30-minute drill), would find a
      // dropped connection (1006) although the service closed it with 1013 in time.
      const abuseS = Math.min(slowS, 15);
      await sleep(abuseS * 1000);
      const codes = await Promise.all(abusers.map((a) => a.result(5_000)));
      // The rest of the phase: the normal viewers must keep their connections meanwhile.
      await sleep((slowS - abuseS) * 1000);
      const byKind: Record<string, number[]> = {};
      abusers.forEach((a, i) => (byKind[a.kind] ??= []).push(codes[i]));
      notes.close_codes = byKind;
      for (const kind of kinds) {
        const got = byKind[kind];
        checks.push({
          name: `${kind} clients are cut off`,
          ok: got.every((c) => c === EXPECTED_CLOSE[kind]),
          detail: `closed with ${got.join(", ")} (expected ${EXPECTED_CLOSE[kind]})`,
        });
      }
      const closesAfter = JSON.stringify(viewers.closeCodes());
      checks.push({
        name: "normal viewers keep their connections",
        ok: closesBefore === closesAfter,
        detail: `viewer closes ${closesBefore} -> ${closesAfter}`,
      });
    });

    await phase("restart", { expectsUnanswered: true }, async (checks, notes) => {
      const windowMs = RATE_LIMIT.windowSeconds * 1000;
      const left = windowMs - (Date.now() % windowMs);
      // A restart must land inside the rate-limit window it is checked against.
      if (left < 45_000) await sleep(left + 500);
      const probe = async () => {
        const res = await timedFetch(`${service.url}/api/v1/leagues`, {
          headers: { "x-forwarded-for": "192.0.2.10" },
        });
        await res.body?.cancel();
        return readRateLimit(res.headers.get("ratelimit"));
      };
      for (let i = 0; i < 4; i++) await probe();
      const before = await probe();
      const windowBefore = Math.floor(Date.now() / windowMs);
      const matchA = [...brokenIds][0];
      const matchB = [...steadyIds][0];
      const historyLength = async (id: string) => {
        const res = await timedFetch(`${service.url}/api/v1/matches/${encodeURIComponent(id)}`, {
          headers: { "x-forwarded-for": "192.0.2.11" },
        });
        return res.ok ? (await res.json()).history.length as number : -1;
      };
      const alertIds = async (since?: number) => {
        const query = since === undefined ? "limit=100" : `limit=500&since=${since}`;
        const res = await timedFetch(`${service.url}/api/v1/alerts?${query}`, {
          headers: { "x-forwarded-for": "192.0.2.12" },
        });
        return res.ok ? (await res.json()).alerts.map((a: { id: number }) => a.id) as number[] : [];
      };
      const histBefore = [await historyLength(matchA), await historyLength(matchB)];
      const alertsBefore = await alertIds();
      const stopped = await service.stop("SIGTERM");
      notes.drain_ms = Math.round(stopped.ms);
      checks.push({
        name: "SIGTERM drains within 30 s",
        ok: stopped.code === 0 && stopped.ms <= 30_000,
        detail: `exit code ${stopped.code} after ${
          (stopped.ms / 1000).toFixed(1)
        } s (3 s drain window)`,
      });
      const boot = await service.start();
      notes.boot_ms = Math.round(boot);
      const restartedAt = now();
      const back = await waitFor(() => viewers.subscribedCount() === viewers.size, 60_000);
      notes.viewers_back_s = Math.round((now() - restartedAt) / 100) / 10;
      checks.push({
        name: "viewers reconnect with since",
        ok: back,
        detail:
          `${viewers.subscribedCount()}/${viewers.size} subscribed ${notes.viewers_back_s} s after the restart`,
      });
      const histAfter = [await historyLength(matchA), await historyLength(matchB)];
      checks.push({
        name: "odds history is still there",
        ok: histAfter.every((n, i) => n >= histBefore[i] && histBefore[i] > 0),
        detail: `history lengths ${histBefore.join(", ")} -> ${histAfter.join(", ")}`,
      });
      // The same alerts, read in id order from just before the oldest of them.
      const alertsAfter = new Set(await alertIds(Math.min(...alertsBefore) - 1));
      const kept = alertsBefore.filter((id) => alertsAfter.has(id)).length;
      checks.push({
        name: "alerts are still there",
        ok: alertsBefore.length > 0 && kept === alertsBefore.length,
        detail: `${kept} of ${alertsBefore.length} alerts kept`,
      });
      const after = await probe();
      const sameWindow = Math.floor(Date.now() / windowMs) === windowBefore;
      checks.push({
        name: "rate-limit windows are still there",
        ok: sameWindow && before !== null && after !== null &&
          after.remaining === before.remaining - 1,
        detail:
          `remaining ${before?.remaining} before, ${after?.remaining} after one more request` +
          (sameWindow ? "" : " (the window rolled over: inconclusive)"),
      });
      // The new process warms up (model sessions, caches, JIT) before latency is judged again.
      await sleep(8_000);
    });

    await phase(T >= 600 ? "soak" : "steady-after", { latencyBudget: true }, async () => {
      await sleep(finalS * 1000);
    });

    // Settle: no more price moves, so the last event id is final, then let deliveries finish.
    timeline.current = "settle";
    sources.freeze(true);
    await sleep(3000);
    await restLoad.stop();
    const last = await lastEventId(port);
    await waitFor(() => ledger.maxId >= last, 15_000);
    // Count only once deliveries have stopped: a replay still arriving is not a lost event.
    await waitQuiet(() => viewers.deliveries, 2_000, 20_000);
    await sampler.stop();
    const phases = timeline.phases;
    const report = buildReport({
      mode: "embedded",
      viewers: options.viewers,
      requests: restLoad.samples,
      resources,
      phases,
      accounts: viewers.accounts(),
      ledger: ledger.topics,
      lastEventId: last,
      budgets: DEFAULT_BUDGETS,
    });
    return {
      report,
      resources,
      requests: restLoad.samples,
      phases: phases.map((p) => ({ name: p.name, start: p.start, end: p.end })),
    };
  } finally {
    await sampler?.stop().catch(() => {});
    await load?.stop();
    pool?.close();
    await service.stop("SIGTERM").catch(() => {});
    await sources.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
