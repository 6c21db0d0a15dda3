/**
 * The phases both drills run the same way: the odds source failing (garbage, errors, hangs; the
 * breaker opens, the rest carries on, it closes when the source recovers) and misbehaving
 * WebSocket clients (never reading, reading a trickle, sending oversized frames; cut off, memory
 * bounded). A drill hands them its instances; the embedded drill has one, the fleet three.
 * @module
 */
import type { DrillSources } from "./odds_source.ts";
import type { HealthSample } from "./service.ts";
import type { Check, ResourceSample } from "./report.ts";
import type { ViewerPool } from "./viewers.ts";
import { type AbuserKind, EXPECTED_CLOSE, startAbuser } from "./ws_abusers.ts";
import { BROKEN, sleep, STEADY_SOURCE, type Timeline, upcoming, waitFor } from "./harness.ts";

/** One service instance as the phases reach it. */
export interface PhaseInstance {
  /** How the checks name it ("the service", "instance-1"). */
  name: string;
  url: string;
  port: number;
  health(): Promise<HealthSample | null>;
}

/** What the shared phases need of a drill. */
export interface PhaseContext {
  now: () => number;
  sources: DrillSources;
  viewers: ViewerPool;
  /** The `/health` samples the drill's sampler collects. */
  resources: ResourceSample[];
  /** The instances up now. */
  instances: () => PhaseInstance[];
  /** Match ids listed from the failing board and from the one left alone. */
  brokenIds: Set<string>;
  steadyIds: Set<string>;
}

/**
 * The instance that scrapes `source`, given every instance's `/health` (in the order of
 * `instances`): in a fleet the one holding its lease, embedded the only one. Null while no
 * instance answers as its holder (the lease is changing hands).
 */
export function scraperIndex(healths: (HealthSample | null)[], source: string): number | null {
  const i = healths.findIndex((h) => h !== null && (h.leads === null || h.leads.includes(source)));
  return i < 0 ? null : i;
}

/**
 * Phase "odds-source-fails". The breaker checks read the `/health` of the instance that scrapes
 * the failing board (in a fleet only the lease holder does; the others show what it publishes,
 * so the fleet adds a check that they report its open breaker too).
 */
export async function oddsSourceFails(timeline: Timeline, ctx: PhaseContext): Promise<void> {
  const { sources, brokenIds, steadyIds, now } = ctx;
  const ledger = ctx.viewers.ledger;
  const eventsOn = (ids: Set<string>, after: number) =>
    [...ledger.topics].filter(([id, t]) => id > after && ids.has(t[0].slice(6))).length;
  let scraper: PhaseInstance | undefined;
  /** The scraper's `/health`, finding it again if it no longer leads the board. */
  const scraperHealth = async (): Promise<HealthSample | null> => {
    const h = await scraper?.health();
    if (h && (h.leads === null || h.leads.includes(BROKEN))) return h;
    const instances = ctx.instances();
    const healths = await Promise.all(instances.map((s) => s.health()));
    const i = scraperIndex(healths, BROKEN);
    if (i === null) return null;
    scraper = instances[i];
    return healths[i];
  };
  const breaker = async () => (await scraperHealth())?.breakers[BROKEN];
  const fleet = ctx.instances().length > 1;

  await timeline.phase("odds-source-fails", { latencyBudget: true }, async (checks, notes) => {
    const h0 = await scraperHealth();
    if (!h0) throw new Error(`No instance answers as the scraper of "${BROKEN}"`);
    notes.scraper = scraper!.name;
    const seenBy = () =>
      `(breaker as ${scraper!.name} sees it${fleet ? ", its lease holder" : ""})`;
    sources.setMode(BROKEN, "garbage");
    await sleep(1500);
    const accepted = (await scraperHealth())?.rows_accepted[BROKEN];
    const mark = ledger.maxId;
    await sleep(3500);
    const h1 = await scraperHealth();
    checks.push({
      name: "a garbage page gives no prices",
      ok: h1 !== null && h1.rows_accepted[BROKEN] === accepted && eventsOn(brokenIds, mark) === 0 &&
        h1.breakers[BROKEN] === "closed",
      detail: `rows accepted ${accepted} -> ${h1?.rows_accepted[BROKEN]}, events on its matches ` +
        `${eventsOn(brokenIds, mark)}, breaker ${h1?.breakers[BROKEN]} ${seenBy()}`,
    });
    sources.setMode(BROKEN, "errors");
    const f0 = h0.source_failures[BROKEN];
    await waitFor(
      async () => ((await scraperHealth())?.source_failures[BROKEN] ?? 0) >= f0 + 3,
      20_000,
    );
    sources.setMode(BROKEN, "hang");
    const openAt = now();
    const opened = await waitFor(async () => await breaker() === "open", 30_000);
    notes.requests_at_board = sources.counts()[BROKEN];
    checks.push({
      name: "errors then hangs open the breaker",
      ok: opened,
      detail: (opened
        ? `open ${((now() - openAt) / 1000).toFixed(1)} s after the hangs began`
        : "never opened") + ` ${seenBy()}`,
    });
    if (fleet) {
      // Followers show the holder's published status, refreshed every third of a lease's life.
      const views = async () =>
        await Promise.all(
          ctx.instances().map(async (s) => ({
            name: s.name,
            state: (await s.health())?.breakers[BROKEN],
          })),
        );
      let seen = await views();
      const agree = opened &&
        await waitFor(async () => (seen = await views()).every((v) => v.state === "open"), 10_000);
      checks.push({
        name: "every instance reports the open breaker",
        ok: agree,
        detail: seen.map((v) => `${v.name} ${v.state}`).join(", "),
      });
    }
    const listings = await Promise.all(
      ctx.instances().map(async (s) => ({
        name: s.name,
        served: (await upcoming(s.url)).filter((r) => r.source === BROKEN).length,
      })),
    );
    notes.fallback_matches_served = Object.fromEntries(listings.map((l) => [l.name, l.served]));
    checks.push({
      name: "its last prices are still served",
      ok: listings.every((l) => l.served === brokenIds.size),
      detail: `${
        listings.map((l) => `${l.served}${fleet ? ` by ${l.name}` : ""}`).join(", ")
      } of ${brokenIds.size} matches of the failing board listed`,
    });
    const steadyMark = ledger.maxId;
    sources.setMode(BROKEN, "healthy");
    const healthyAt = now();
    const closed = await waitFor(async () => await breaker() === "closed", 90_000, 500);
    checks.push({
      name: "the breaker closes when the source recovers",
      ok: closed,
      detail: (closed
        ? `closed ${((now() - healthyAt) / 1000).toFixed(1)} s after recovery (60 s reset)`
        : "still not closed after 90 s") + ` ${seenBy()}`,
    });
    const resumeMark = ledger.maxId;
    const resumed = await waitFor(() => eventsOn(brokenIds, resumeMark) > 0, 10_000);
    checks.push({
      name: "its odds events resume",
      ok: resumed,
      detail: `${eventsOn(brokenIds, resumeMark)} events on its matches after the breaker closed`,
    });
    const other = eventsOn(steadyIds, steadyMark);
    const otherBreaker = ctx.resources.filter((s) => s.t >= openAt).every((s) =>
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
}

/**
 * Phase "slow-ws-clients": 15 misbehaving clients on one instance for `seconds`; each must be
 * closed with its code, the normal viewers must keep their connections, and that instance's RSS
 * (sampled every second) must stay within `rssHeadroomBytes` of what it was before.
 */
export async function slowWsClients(
  timeline: Timeline,
  ctx: PhaseContext,
  target: PhaseInstance,
  seconds: number,
  rssHeadroomBytes: number,
): Promise<void> {
  const viewers = ctx.viewers;
  await timeline.phase("slow-ws-clients", {}, async (checks, notes) => {
    const closesBefore = JSON.stringify(viewers.closeCodes());
    const h0 = await target.health();
    const rss: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const h = await target.health();
        if (h) rss.push(h.rss_bytes);
        await sleep(1000);
      }
    })();
    const kinds: AbuserKind[] = ["never-reads", "slow-reader", "oversized-frame"];
    const abusers = await Promise.all(
      Array.from(
        { length: 15 },
        (_, i) => startAbuser(target.port, kinds[i % 3], `198.51.100.${i + 1}`),
      ),
    );
    // The abusers are asked for their close code after at most 15 s: `ws` destroys a socket 30 s
    // after sending its close frame when the peer does not answer it, so a client that never
    // reads, asked only at the end of a long phase (180 s in a 30-minute drill), would find a
    // dropped connection (1006) although the service closed it with 1013 in time.
    const abuseS = Math.min(seconds, 15);
    await sleep(abuseS * 1000);
    const codes = await Promise.all(abusers.map((a) => a.result(5_000)));
    // The rest of the phase: the normal viewers must keep their connections meanwhile.
    await sleep((seconds - abuseS) * 1000);
    sampling = false;
    await sampler;
    const h1 = await target.health();
    const byKind: Record<string, number[]> = {};
    abusers.forEach((a, i) => (byKind[a.kind] ??= []).push(codes[i]));
    notes.target = target.name;
    notes.close_codes = byKind;
    if (h0 && h1) {
      notes.slow_consumers_dropped = h1.slow_consumers_dropped - h0.slow_consumers_dropped;
    }
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
    checks.push(memoryCheck(target.name, h0?.rss_bytes ?? null, rss, rssHeadroomBytes));
  });
}

/** Whether the abused instance's peak RSS stayed within `headroom` of its RSS before. */
export function memoryCheck(
  name: string,
  before: number | null,
  samples: number[],
  headroom: number,
): Check {
  const mb = (b: number) => Math.round(b / 2 ** 20);
  const peak = Math.max(0, ...samples);
  return {
    name: `memory of ${name} bounded`,
    ok: before !== null && samples.length > 0 && peak <= before + headroom,
    detail: before === null || samples.length === 0
      ? "no /health from it"
      : `RSS ${mb(before)} MB before, peak ${mb(peak)} MB over ${samples.length} samples (limit ${
        mb(before + headroom)
      })`,
  };
}
