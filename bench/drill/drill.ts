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
import { oddsSourceFails, type PhaseContext, type PhaseInstance, slowWsClients } from "./phases.ts";
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
    const instance: PhaseInstance = {
      name: "the service",
      url: service.url,
      port,
      health: () => service.health(),
    };
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
    const ctx: PhaseContext = {
      now,
      sources,
      viewers,
      resources,
      instances: () => [instance],
      brokenIds,
      steadyIds,
    };

    // Model sessions, caches and the JIT warm up before the baseline is measured.
    await phase("warm-up", {}, async () => await sleep(8_000));
    await phase("steady", { baseline: true }, async () => await sleep(steadyS * 1000));

    await oddsSourceFails(timeline, ctx);

    await phase("rate-limit-abuse", { expectsAbuser: true, latencyBudget: true }, async () => {
      restLoad.abuse(50);
      await sleep(rateS * 1000);
      restLoad.abuse(0);
    });

    await slowWsClients(timeline, ctx, instance, slowS, DEFAULT_BUDGETS.rssHeadroomBytes);

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
