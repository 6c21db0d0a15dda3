/**
 * The fleet drill: three service processes sharing a Redis the drill starts on a free port,
 * reached through the fault proxy, with the same odds boards, viewers and REST load as the
 * embedded drill. Phases: steady; the odds source failing (the embedded drill's phase, see
 * `phases.ts`: the breaker is read from the instance holding the source's lease); Redis latency
 * with jitter, a bandwidth cap, connections cut, the link down for 30 s; one client over the
 * fleet-wide rate limit; misbehaving WebSocket clients, all on one instance whose RSS is judged;
 * an instance SIGKILLed and one SIGTERMed (their viewers reconnect to the others with `since`);
 * Redis stopped and started empty (a new epoch: viewers reload); steady again.
 * @module
 */
import { PrivateRedis } from "../../server/fleet/test_redis.ts";
import { freePort } from "../../deploy/testing/service_process.ts";
import { FaultProxy } from "./fault_proxy.ts";
import { DrillService } from "./service.ts";
import { ViewerPool } from "./viewers.ts";
import { ABUSER_ADDRESS, type RestLoad } from "./rest_load.ts";
import type { DrillOptions, DrillResult } from "./drill.ts";
import { buildReport, type Check, DEFAULT_BUDGETS, type ResourceSample } from "./report.ts";
import { oddsSourceFails, type PhaseContext, type PhaseInstance, slowWsClients } from "./phases.ts";
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
  viewerAddress,
  viewerTopics,
  waitFor,
  waitQuiet,
} from "./harness.ts";

const INSTANCES = 3;

/** Runs the fleet drill. */
export async function runFleetDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log;
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const dir = await Deno.makeTempDir({ prefix: "sabiscore-fleet-drill-" });
  const { sources, file } = await startBoards(dir);
  const redis = new PrivateRedis();
  await redis.start();
  const proxy = FaultProxy.start({ upstreamPort: redis.port });
  const prefix = `drill:${crypto.randomUUID().slice(0, 8)}:`;
  const services = Array.from({ length: INSTANCES }, (_, i) =>
    new DrillService({
      port: freePort(),
      env: {
        ...serviceEnv(dir, `instance-${i}`, file),
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        REDIS_KEY_PREFIX: prefix,
        INSTANCE_ID: `instance-${i}`,
      },
    }));
  const up = new Set<number>();
  const upServices = () => services.filter((_, i) => up.has(i));
  const instances: PhaseInstance[] = services.map((s, i) => ({
    name: `instance-${i}`,
    url: s.url,
    port: s.port,
    health: () => s.health(),
  }));
  const resources: ResourceSample[] = [];
  let pool: ViewerPool | undefined;
  let load: RestLoad | undefined;
  let sampler: { stop(): Promise<void> } | undefined;
  try {
    log(
      `Redis on ${redis.port} behind the fault proxy on ${proxy.port}; starting ${INSTANCES} instances`,
    );
    await Promise.all(services.map(async (s, i) => {
      const ms = await s.start();
      up.add(i);
      log(`instance-${i} ready on ${s.url} in ${Math.round(ms)} ms`);
    }));
    const rows = await listedMatches(services[0].url, sources.fixtures().length);
    const idsOf = (source: string) =>
      new Set(rows.filter((r) => r.source === source).map((r) => r.id));
    pool = new ViewerPool({
      ports: () => upServices().map((s) => s.port),
      topics: viewerTopics(options.viewers, rows),
      addressOf: viewerAddress,
      dropEveryNth: options.dropEveryNth,
    });
    const viewers = pool;
    const ledger = pool.ledger;
    await pool.connect();
    log(`${pool.subscribedCount()} viewers subscribed over ${INSTANCES} instances`);
    const traffic = startTraffic({
      now,
      log,
      urls: () => upServices().map((s) => s.url),
      health: () => Promise.all(upServices().map((s) => s.health())),
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
    const S = Math.max(10, 0.06 * T);
    const ctx: PhaseContext = {
      now,
      sources,
      viewers,
      resources,
      instances: () => instances.filter((_, i) => up.has(i)),
      brokenIds: idsOf(BROKEN),
      steadyIds: idsOf(STEADY_SOURCE),
    };
    const eventsFlow = async (checks: Check[], what: string) => {
      const mark = ledger.total;
      const ok = await waitFor(() => ledger.total > mark, 20_000);
      checks.push({ name: `events flow ${what}`, ok, detail: `${ledger.total - mark} new events` });
    };
    const allBack = async (checks: Check[], notes: Record<string, unknown>, what: string) => {
      const t = now();
      const ok = await waitFor(() => viewers.subscribedCount() === viewers.size, 60_000);
      notes.viewers_back_s = Math.round((now() - t) / 100) / 10;
      checks.push({
        name: `viewers reconnect ${what}`,
        ok,
        detail:
          `${viewers.subscribedCount()}/${viewers.size} subscribed ${notes.viewers_back_s} s later`,
      });
    };

    await phase("warm-up", {}, () => sleep(8_000));
    await phase("steady", { baseline: true }, () => sleep(S * 1000));
    await oddsSourceFails(timeline, ctx);
    await phase("redis-latency", {}, async (checks) => {
      proxy.set({ latencyMs: 20, jitterMs: 30 });
      await sleep(S * 1000);
      await eventsFlow(checks, "with 20-50 ms more to Redis");
      proxy.set({});
    });
    await phase("redis-bandwidth", {}, async (checks) => {
      proxy.set({ bytesPerSecond: 256 * 1024 });
      await sleep(S * 1000);
      await eventsFlow(checks, "with Redis capped at 256 KB/s");
      proxy.set({});
    });
    await phase("redis-resets", { expectsRedisOutage: true }, async (checks, notes) => {
      const end = performance.now() + S * 1000;
      let cuts = 0;
      while (performance.now() < end) {
        proxy.cutAll();
        cuts++;
        await sleep(2_000);
      }
      notes.cuts = cuts;
      await eventsFlow(checks, "after the connections were cut");
    });
    await phase("redis-down-30s", { expectsRedisOutage: true }, async (checks, notes) => {
      proxy.setDown(true);
      await sleep(30_000);
      proxy.setDown(false);
      const t = now();
      await eventsFlow(checks, "once Redis is reachable again");
      notes.events_back_s = Math.round((now() - t) / 100) / 10;
    });
    await phase(
      "rate-limit-abuse",
      { expectsAbuser: true, latencyBudget: true },
      async (checks) => {
        const start = Date.now();
        restLoad.abuse(50);
        await sleep(S * 1000);
        restLoad.abuse(0);
        await sleep(2000);
        const windowMs = RATE_LIMIT.windowSeconds * 1000;
        const windows = Math.floor(Date.now() / windowMs) - Math.floor(start / windowMs) + 1;
        const admitted = restLoad.samples.filter((r) =>
          r.client === "abuser" && r.status > 0 && r.status !== 429
        ).length;
        const budget = RATE_LIMIT.requests * windows;
        checks.push({
          name: "the fleet-wide budget is never exceeded",
          ok: admitted <= budget,
          detail: `${ABUSER_ADDRESS} admitted ${admitted} times over ${INSTANCES} instances ` +
            `(budget ${budget} in ${windows} window${windows > 1 ? "s" : ""})`,
        });
      },
    );
    // After the Redis faults: the abused instance is busy for a while after its abusers are cut
    // (heap up by ~100 MB, REST p99 over a second during the phase), which must not land on the
    // bandwidth cap. Fifteen seconds at least: the abusers are judged after up to 15 s of abuse.
    await slowWsClients(
      timeline,
      ctx,
      instances[0],
      Math.max(15, S),
      DEFAULT_BUDGETS.rssHeadroomBytes,
    );
    const stopAndBack = async (
      i: number,
      signal: Deno.Signal,
      checks: Check[],
      notes: Record<string, unknown>,
    ) => {
      up.delete(i);
      const stopped = await services[i].stop(signal);
      notes.exit = { code: stopped.code, ms: Math.round(stopped.ms) };
      await allBack(checks, notes, `to the other instances after ${signal}`);
      await eventsFlow(checks, `without instance-${i}`);
      notes.boot_ms = Math.round(await services[i].start());
      up.add(i);
      return stopped;
    };
    await phase("instance-sigkill", { expectsUnanswered: true }, async (checks, notes) => {
      await stopAndBack(2, "SIGKILL", checks, notes);
    });
    await phase("instance-sigterm", { expectsUnanswered: true }, async (checks, notes) => {
      const stopped = await stopAndBack(1, "SIGTERM", checks, notes);
      checks.push({
        name: "SIGTERM drains within 30 s",
        ok: stopped.code === 0 && stopped.ms <= 30_000,
        detail: `exit code ${stopped.code} after ${(stopped.ms / 1000).toFixed(1)} s`,
      });
    });
    await phase(
      "redis-restart",
      { expectsUnanswered: true, expectsEpochChange: true, expectsRedisOutage: true },
      async (checks, notes) => {
        const epochBefore = ledger.epoch;
        await redis.stop();
        await sleep(3_000);
        await redis.start();
        const t = now();
        const changed = await waitFor(() => ledger.epoch !== epochBefore, 60_000);
        notes.new_epoch_s = Math.round((now() - t) / 100) / 10;
        checks.push({
          name: "history lost: a new epoch, viewers reload",
          ok: changed && viewers.accounts().some((a) => (a.reloads ?? 0) > 0),
          detail: changed
            ? `events in a new epoch ${notes.new_epoch_s} s after Redis came back`
            : "no event in a new epoch within 60 s",
        });
        await allBack(checks, notes, "after the epoch change");
      },
    );
    await phase("steady-after", { latencyBudget: true }, () => sleep(Math.max(10, S) * 1000));

    timeline.current = "settle";
    sources.freeze(true);
    await sleep(3000);
    await restLoad.stop();
    const last = await lastEventId(upServices()[0].port);
    await waitFor(() => ledger.maxId >= last, 15_000);
    // Count only once deliveries have stopped: a replay still arriving is not a lost event.
    await waitQuiet(() => viewers.deliveries, 2_000, 20_000);
    await sampler.stop();
    const phases = timeline.phases;
    const report = buildReport({
      mode: "fleet",
      viewers: options.viewers,
      requests: restLoad.samples,
      resources,
      phases,
      accounts: viewers.accounts(),
      ledger: ledger.topics,
      lastEventId: last,
      epoch: ledger.epoch,
      pastEpochs: ledger.epochs,
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
    await Promise.all(services.map((s) => s.stop("SIGTERM").catch(() => {})));
    await proxy.close();
    await redis.stop();
    await sources.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
