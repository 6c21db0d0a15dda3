/**
 * The value-bet alert engine: turns `value_bet` events that pass the configured filters (min
 * edge, min/max odds, leagues) into alerts stored in Deno KV with the odds at alert time; at
 * kick-off records the closing line value (offered odds x fair closing probability - 1) from the
 * last prices seen before kick-off (or an injected provider); settles win/loss and profit when a
 * result is known; summarises performance.
 * @module
 */
/// <reference lib="deno.unstable" />
import type { MatchOdds } from "../domain/live_protocol.ts";
import type { Broker, PublishedEvent } from "./broker.ts";
import type { MarginMethod } from "../domain/margins.ts";
import { closingLineValue } from "../domain/staking.ts";
import { closingSnapshot, selectionWon } from "./alert_settlement.ts";

/** Which value bets become alerts. */
export interface AlertFilter {
  /** Smallest edge (probability x odds - 1). */
  minEdge: number;
  minOdds: number;
  maxOdds: number;
  /** League keys to alert on; null = all. */
  leagues: string[] | null;
}

/** One stored alert. Prices are decimal; profit is per unit stake. */
export interface Alert {
  id: number;
  /** `event_id` of the value-bet event that raised it. */
  event_id: number;
  created_at: string;
  match_id: string;
  league: string;
  home_team: string;
  away_team: string;
  kickoff: string;
  market: string;
  selection: string;
  /** Odds at alert time (the price the alert tells users to take). */
  odds: number;
  probability: number;
  edge: number;
  kelly_fraction: number;
  /** `open` while the value lasts; `closed` when it went away or the match kicked off. */
  status: "open" | "closed";
  latest_odds: number;
  updated_at: string;
  closed_at: string | null;
  /** The selection's price at kick-off, its fair probability and the closing line value. */
  closing_odds: number | null;
  closing_fair_probability: number | null;
  clv: number | null;
  /** `pending` until kick-off; `unavailable` when no closing prices were known. */
  clv_status: "pending" | "recorded" | "unavailable";
  result: "won" | "lost" | null;
  /** Flat one-unit stake: odds - 1 if won, -1 if lost. */
  profit: number | null;
  settled_at: string | null;
}

/** Summary of alert performance. */
export interface AlertPerformance {
  count: number;
  open: number;
  with_clv: number;
  /** Mean closing line value of alerts with one; null when none. */
  mean_clv: number | null;
  /** Share of alerts with a recorded CLV that beat the closing line. */
  beat_closing_line: number | null;
  settled: number;
  wins: number;
  /** Profit in units over settled alerts, one unit staked on each. */
  profit_units: number;
  /** profit_units / settled; null when nothing is settled. */
  roi: number | null;
  /** ROI when staking each alert's Kelly fraction; null when nothing is settled. */
  kelly_roi: number | null;
  mean_edge: number | null;
}

/** A final score. */
export interface MatchResult {
  home_goals: number;
  away_goals: number;
}

/** Options of {@link openAlertEngine}. */
export interface AlertEngineOptions {
  /** Where alerts persist; without it they live in memory only. @default none */
  kv?: Deno.Kv;
  /** When given, the engine listens to its `value_bet` and `odds` events. */
  broker?: Broker;
  /** @default { minEdge: 0.03, minOdds: 1.3, maxOdds: 10, leagues: null } */
  filter?: Partial<AlertFilter>;
  /**
   * Closing prices of a match; when absent (or returning null) the last prices seen on the
   * broker before kick-off are used.
   * @default none
   */
  closingOdds?: (matchId: string) => Promise<MatchOdds | null>;
  /** Final score of a match once known. @default none (use `recordResult`) */
  result?: (matchId: string) => Promise<MatchResult | null>;
  /** How the bookmaker margin is removed from closing prices. @default "normalise" */
  marginMethod?: MarginMethod;
  /** Clock (epoch ms). @default Date.now */
  now?: () => number;
  /** How often `settle()` runs while `signal` is live. @default 60000 */
  settleIntervalMs?: number;
  /**
   * How long after kick-off to wait for closing prices before giving up on the CLV.
   * @default 21600000 (6 h)
   */
  closingGraceMs?: number;
  /** Alerts kept (oldest dropped first). @default 10000 */
  maxAlerts?: number;
  /** KV key prefix. @default ["alerts"] */
  prefix?: Deno.KvKey;
  /** Stops the settle loop and the broker subscription. */
  signal?: AbortSignal;
}

/** Query of {@link AlertEngine.list}. */
export interface AlertQuery {
  /** Alert id (exclusive) or ISO date-time (alerts created after it). */
  since?: number | string;
  /** @default 50 */
  limit?: number;
}

/** The alert engine. */
export interface AlertEngine {
  /** Handles one published event (what the broker listener calls). */
  handle(event: PublishedEvent): Promise<void>;
  /** Alerts in id order: after `since`, or the latest `limit` without it. */
  list(query?: AlertQuery): { alerts: Alert[]; next_since: number | null };
  performance(): AlertPerformance;
  /** Records CLV for alerts whose match kicked off and results where known; returns changes. */
  settle(): Promise<number>;
  /** Settles every alert of a match with this final score; returns how many. */
  recordResult(matchId: string, result: MatchResult): Promise<number>;
  readonly filter: Readonly<AlertFilter>;
  /** Waits for pending writes and stops the loop. */
  close(): Promise<void>;
}

interface LastOdds {
  odds: MatchOdds;
  at: number;
  kickoff: number;
}

const DEFAULT_FILTER: AlertFilter = { minEdge: 0.03, minOdds: 1.3, maxOdds: 10, leagues: null };

/** Opens the engine, reloading alerts and last-seen prices from KV when given. */
export async function openAlertEngine(options: AlertEngineOptions = {}): Promise<AlertEngine> {
  const filter: AlertFilter = { ...DEFAULT_FILTER, ...options.filter };
  if (!(filter.minOdds > 1) || !(filter.maxOdds >= filter.minOdds)) {
    throw new RangeError(`Alert odds range ${filter.minOdds}-${filter.maxOdds} is invalid`);
  }
  const { kv } = options;
  const prefix = options.prefix ?? ["alerts"];
  const now = options.now ?? Date.now;
  const graceMs = options.closingGraceMs ?? 6 * 3600_000;
  const maxAlerts = options.maxAlerts ?? 10_000;

  const alerts = new Map<number, Alert>();
  const active = new Map<string, number>();
  const lastOdds = new Map<string, LastOdds>();
  let seq = 0;
  if (kv) {
    for await (const e of kv.list<Alert>({ prefix: [...prefix, "a"] })) {
      alerts.set(e.value.id, e.value);
      seq = Math.max(seq, e.value.id);
      if (e.value.status === "open") active.set(keyOf(e.value), e.value.id);
    }
    for await (const e of kv.list<LastOdds>({ prefix: [...prefix, "odds"] })) {
      lastOdds.set(String(e.key[e.key.length - 1]), e.value);
    }
    seq = Math.max(seq, (await kv.get<number>([...prefix, "seq"])).value ?? 0);
  }

  let chain = Promise.resolve();
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = chain.then(work);
    chain = run.then(() => {}, () => {});
    return run;
  }

  async function save(alert: Alert): Promise<void> {
    alerts.set(alert.id, alert);
    const dropped: number[] = [];
    while (alerts.size > maxAlerts) {
      const [oldest] = alerts.keys();
      const old = alerts.get(oldest)!;
      alerts.delete(oldest);
      if (active.get(keyOf(old)) === oldest) active.delete(keyOf(old));
      dropped.push(oldest);
    }
    if (!kv) return;
    const op = kv.atomic().set([...prefix, "a", alert.id], alert).set([...prefix, "seq"], seq);
    for (const id of dropped) op.delete([...prefix, "a", id]);
    await op.commit();
  }

  function passes(bet: { edge: number; odds: number; league: string }): boolean {
    return bet.edge >= filter.minEdge && bet.odds >= filter.minOdds &&
      bet.odds <= filter.maxOdds &&
      (filter.leagues === null || filter.leagues.includes(bet.league));
  }

  async function onValueBet(event: PublishedEvent): Promise<void> {
    if (event.event.type !== "value_bet") return;
    const bet = event.event.bet;
    const key = keyOf(bet);
    // Event time, not handling time: handling runs a little after publication.
    const at = new Date(event.published_at).toISOString();
    const activeId = active.get(key);
    const current = activeId === undefined ? undefined : alerts.get(activeId);
    if (bet.action === "close") {
      if (!current) return;
      active.delete(key);
      await save({ ...current, status: "closed", closed_at: at, updated_at: at });
      return;
    }
    if (current) {
      await save({ ...current, latest_odds: bet.odds, updated_at: at });
      return;
    }
    if (!passes(bet) || Date.parse(bet.kickoff) <= event.published_at) return;
    const alert: Alert = {
      id: ++seq,
      event_id: event.event_id,
      created_at: at,
      match_id: bet.match_id,
      league: bet.league,
      home_team: bet.home_team,
      away_team: bet.away_team,
      kickoff: bet.kickoff,
      market: bet.market,
      selection: bet.selection,
      odds: bet.odds,
      probability: bet.probability,
      edge: bet.edge,
      kelly_fraction: bet.kelly_fraction,
      status: "open",
      latest_odds: bet.odds,
      updated_at: at,
      closed_at: null,
      closing_odds: null,
      closing_fair_probability: null,
      clv: null,
      clv_status: "pending",
      result: null,
      profit: null,
      settled_at: null,
    };
    active.set(key, alert.id);
    await save(alert);
    const last = lastOdds.get(bet.match_id);
    if (last && kv) await kv.set([...prefix, "odds", bet.match_id], last);
  }

  async function onOdds(event: PublishedEvent): Promise<void> {
    if (event.event.type !== "odds") return;
    const match = event.event.match;
    const t = event.published_at;
    const kickoff = Date.parse(match.kickoff);
    if (!(kickoff > t)) return;
    // Every upcoming match's last prices are kept in memory (the closing line of a later alert);
    // only matches with alerts are persisted.
    const last: LastOdds = { odds: match.odds, at: t, kickoff };
    lastOdds.set(match.id, last);
    if (hasPendingAlert(match.id)) await kv?.set([...prefix, "odds", match.id], last);
  }

  function hasPendingAlert(matchId: string): boolean {
    for (const a of alerts.values()) {
      if (a.match_id === matchId && a.clv_status === "pending") return true;
    }
    return false;
  }

  async function closingFor(matchId: string, kickoff: number): Promise<MatchOdds | null> {
    const provided = options.closingOdds ? await options.closingOdds(matchId) : null;
    if (provided) return provided;
    const seen = lastOdds.get(matchId);
    return seen && seen.at <= kickoff ? seen.odds : null;
  }

  async function settleOnce(): Promise<number> {
    const t = now();
    const at = new Date(t).toISOString();
    let changed = 0;
    const doneMatches = new Set<string>();
    for (const alert of [...alerts.values()]) {
      const kickoff = Date.parse(alert.kickoff);
      if (!(kickoff <= t)) continue;
      let next = alert;
      if (next.status === "open") {
        active.delete(keyOf(next));
        next = { ...next, status: "closed", closed_at: at, updated_at: at };
      }
      if (next.clv_status === "pending") {
        const closing = await closingFor(next.match_id, kickoff);
        const snap = closing
          ? closingSnapshot(closing, next.market, next.selection, options.marginMethod)
          : null;
        if (snap) {
          next = {
            ...next,
            closing_odds: snap.price,
            closing_fair_probability: snap.fairProbability,
            clv: closingLineValue(next.odds, snap.fairProbability),
            clv_status: "recorded",
            updated_at: at,
          };
        } else if (t - kickoff > graceMs) {
          next = { ...next, clv_status: "unavailable", updated_at: at };
        }
      }
      if (next.result === null && options.result) {
        const result = await options.result(next.match_id);
        if (result) next = settled(next, result, at);
      }
      if (next !== alert) {
        changed++;
        await save(next);
      }
      if (next.clv_status !== "pending") doneMatches.add(next.match_id);
    }
    for (const [matchId, last] of [...lastOdds]) {
      if (t - last.kickoff <= graceMs && !doneMatches.has(matchId)) continue;
      if (hasPendingAlert(matchId)) continue;
      lastOdds.delete(matchId);
      await kv?.delete([...prefix, "odds", matchId]);
    }
    return changed;
  }

  async function recordOnce(matchId: string, result: MatchResult): Promise<number> {
    if (![result.home_goals, result.away_goals].every((g) => Number.isInteger(g) && g >= 0)) {
      throw new RangeError(`Invalid score ${result.home_goals}-${result.away_goals}`);
    }
    const at = new Date(now()).toISOString();
    let changed = 0;
    for (const alert of [...alerts.values()]) {
      if (alert.match_id !== matchId || alert.result !== null) continue;
      const next = settled(alert, result, at);
      if (next !== alert) {
        changed++;
        await save(next);
      }
    }
    return changed;
  }

  function list(query: AlertQuery = {}): { alerts: Alert[]; next_since: number | null } {
    const limit = Math.max(1, Math.min(query.limit ?? 50, 1000));
    const all = [...alerts.values()];
    let page: Alert[];
    if (query.since === undefined) {
      page = all.slice(-limit);
    } else if (typeof query.since === "number") {
      const since = query.since;
      page = all.filter((a) => a.id > since).slice(0, limit);
    } else {
      const since = Date.parse(query.since);
      page = all.filter((a) => Date.parse(a.created_at) > since).slice(0, limit);
    }
    const last = page.at(-1);
    return { alerts: page, next_since: last ? last.id : null };
  }

  const ac = new AbortController();
  const unsubscribe = options.broker?.subscribe((event) => {
    serial(() => event.event.type === "odds" ? onOdds(event) : onValueBet(event)).catch((e) =>
      console.error("Alert engine cannot handle a live event:", e)
    );
  });
  let timer: ReturnType<typeof setInterval> | null = null;
  if (options.signal) {
    timer = setInterval(() => {
      serial(settleOnce).catch((e) => console.error("Alert settlement failed:", e));
    }, options.settleIntervalMs ?? 60_000);
    options.signal.addEventListener("abort", () => ac.abort(), { once: true });
  }
  function stop(): void {
    unsubscribe?.();
    if (timer !== null) clearInterval(timer);
    timer = null;
  }
  ac.signal.addEventListener("abort", stop, { once: true });

  return {
    handle: (event) =>
      serial(() => event.event.type === "odds" ? onOdds(event) : onValueBet(event)),
    list,
    performance: () => summarise([...alerts.values()]),
    settle: () => serial(settleOnce),
    recordResult: (matchId, result) => serial(() => recordOnce(matchId, result)),
    filter: Object.freeze({ ...filter }),
    close: async function close() {
      ac.abort();
      await chain;
    },
  };
}

function keyOf(bet: { match_id: string; market: string; selection: string }): string {
  return `${bet.match_id}\u0000${bet.market}\u0000${bet.selection}`;
}

function settled(alert: Alert, result: MatchResult, at: string): Alert {
  const won = selectionWon(alert.market, alert.selection, result.home_goals, result.away_goals);
  if (won === null) return alert;
  return {
    ...alert,
    result: won ? "won" : "lost",
    profit: won ? alert.odds - 1 : -1,
    settled_at: at,
    updated_at: at,
  };
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Performance summary of a set of alerts. */
export function summarise(alerts: Alert[]): AlertPerformance {
  const clvs = alerts.filter((a) => a.clv !== null).map((a) => a.clv!);
  const settledAlerts = alerts.filter((a) => a.profit !== null);
  const profit = settledAlerts.reduce((s, a) => s + a.profit!, 0);
  const kellyStake = settledAlerts.reduce((s, a) => s + a.kelly_fraction, 0);
  const kellyProfit = settledAlerts.reduce((s, a) => s + a.kelly_fraction * a.profit!, 0);
  return {
    count: alerts.length,
    open: alerts.filter((a) => a.status === "open").length,
    with_clv: clvs.length,
    mean_clv: mean(clvs),
    beat_closing_line: clvs.length === 0 ? null : clvs.filter((c) => c > 0).length / clvs.length,
    settled: settledAlerts.length,
    wins: settledAlerts.filter((a) => a.result === "won").length,
    profit_units: profit,
    roi: settledAlerts.length === 0 ? null : profit / settledAlerts.length,
    kelly_roi: kellyStake > 0 ? kellyProfit / kellyStake : null,
    mean_edge: mean(alerts.map((a) => a.edge)),
  };
}
