/**
 * The value-bet alert engine: turns `value_bet` events that pass the configured filters (min
 * edge, min/max odds, leagues) into alerts (`alert_book.ts`) with the odds at alert time; at
 * kick-off records the closing line value (offered odds x fair closing probability - 1) from the
 * last prices seen before kick-off (`last_prices.ts`, or an injected provider); settles win/loss
 * and profit when a result is known; summarises performance (`alert_performance.ts`).
 * @module
 */
/// <reference lib="deno.unstable" />
import type { MatchOdds } from "../domain/live_protocol.ts";
import type { MarginMethod } from "../domain/margins.ts";
import { closingLineValue } from "../domain/staking.ts";
import { DEFAULT_VALUE_POLICY, type ValuePolicy } from "../domain/value_policy.ts";
import {
  type Alert,
  AlertBook,
  type AlertQuery,
  type AlertStorage,
  type AlertWriteGuard,
  kvAlertStorage,
  openedAlert,
} from "./alert_book.ts";
import { type AlertPerformance, summarise } from "./alert_performance.ts";
import { alertAfter } from "./alert_lifecycle.ts";
import { closingSnapshot, selectionWon } from "./alert_settlement.ts";
import type { Broker, PublishedEvent } from "./broker.ts";
import { LastPrices } from "./last_prices.ts";

/** Which value bets become alerts. */
export interface AlertFilter {
  /** Smallest edge (probability x odds - 1). */
  minEdge: number;
  minOdds: number;
  maxOdds: number;
  /** League keys to alert on; null = all. */
  leagues: string[] | null;
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
  /**
   * Narrows which value bets become alerts; unset fields follow the served policy, so alerts,
   * badges and `/api/v1/value-bets` share one threshold.
   * @default alertFilterOf(DEFAULT_VALUE_POLICY)
   */
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
  /**
   * Where alerts persist, instead of `kv` (the fleet's Redis: the engine then also takes in
   * the alerts other instances store, every `refreshMs`). @default `kv`, else memory only
   */
  storage?: AlertStorage;
  /** How often alerts stored by other instances are taken in (with `storage`). @default 500 */
  refreshMs?: number;
  /**
   * Fleet: the lease whose holder settles alerts; the other instances only take in its
   * writes, which carry its fencing token. @default every engine settles the alerts it holds
   */
  settleLease?: { readonly source: string; readonly fence: number | null };
  /** Stops the settle loop and the broker subscription. */
  signal?: AbortSignal;
}

/**
 * The alert filter of a value-bet policy: its edge and odds range, every league. A value bet the
 * policy serves is then always an alert, and nothing the policy does not serve becomes one.
 */
export function alertFilterOf(policy: ValuePolicy): AlertFilter {
  return {
    minEdge: policy.min_edge,
    minOdds: policy.min_odds,
    maxOdds: policy.max_odds,
    leagues: null,
  };
}

const DEFAULT_FILTER: AlertFilter = alertFilterOf(DEFAULT_VALUE_POLICY);

/** The alert engine; every change runs in order, one at a time. */
export class AlertEngine {
  #options: AlertEngineOptions;
  #book: AlertBook;
  #prices: LastPrices;
  #now: () => number;
  #graceMs: number;
  #chain = Promise.resolve();
  #stop = new AbortController();
  #refused = 0;
  /** A periodic refresh is in flight. */
  #refreshing = false;
  /** Which value bets become alerts. */
  readonly filter: Readonly<AlertFilter>;

  constructor(
    book: AlertBook,
    options: AlertEngineOptions & { prices: LastPrices; filter: AlertFilter },
  ) {
    this.#options = options;
    this.#book = book;
    this.#prices = options.prices;
    this.#now = options.now ?? Date.now;
    this.#graceMs = options.closingGraceMs ?? 6 * 3600_000;
    this.filter = Object.freeze({ ...options.filter });
    const unsubscribe = options.broker?.subscribe((event) => {
      this.handle(event).catch((e) => console.error("Alert engine cannot handle a live event:", e));
    });
    let timer: ReturnType<typeof setInterval> | null = null;
    let refresher: ReturnType<typeof setInterval> | null = null;
    if (options.storage?.changes) {
      refresher = setInterval(() => {
        // One refresh at a time: behind a slow Redis, each period would queue one more (and
        // the live events behind them all).
        if (this.#refreshing) return;
        this.#refreshing = true;
        this.refresh().catch(() => {
          // Redis away: the next refresh takes in what was missed.
        }).finally(() => this.#refreshing = false);
      }, options.refreshMs ?? 500);
    }
    if (options.signal) {
      timer = setInterval(() => {
        this.settle().catch((e) => console.error("Alert settlement failed:", e));
      }, options.settleIntervalMs ?? 60_000);
      options.signal.addEventListener("abort", () => this.#stop.abort(), { once: true });
    }
    this.#stop.signal.addEventListener("abort", () => {
      unsubscribe?.();
      if (timer !== null) clearInterval(timer);
      if (refresher !== null) clearInterval(refresher);
    }, { once: true });
  }

  /** Handles one published event (what the broker listener calls). */
  handle(event: PublishedEvent): Promise<void> {
    return this.#serial(() =>
      event.event.type === "odds" ? this.#onOdds(event) : this.#onValueBet(event)
    );
  }

  /** Takes in the alerts other instances stored (fleet); returns how many changed. */
  refresh(): Promise<number> {
    return this.#serial(() => this.#book.refresh());
  }

  /** Alerts in id order: after `since`, or the latest `limit` without it. */
  list(query?: AlertQuery): { alerts: Alert[]; next_since: number | null } {
    return this.#book.list(query);
  }

  /**
   * Writes the shared storage refused: a stale fencing token (this instance lost the lease) or
   * an alert another instance had changed first.
   */
  get refusedWrites(): number {
    return this.#refused;
  }

  performance(): AlertPerformance {
    return summarise(this.#book.all());
  }

  /** Records CLV for alerts whose match kicked off and results where known; returns changes. */
  settle(): Promise<number> {
    return this.#serial(() => this.#settleOnce());
  }

  /** Settles every alert of a match with this final score; returns how many. */
  recordResult(matchId: string, result: MatchResult): Promise<number> {
    return this.#serial(() => this.#recordOnce(matchId, result));
  }

  /** Waits for pending writes and stops the loop. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#chain;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.then(() => {}, () => {});
    return run;
  }

  async #save(alert: Alert, guard?: AlertWriteGuard): Promise<boolean> {
    const saved = await this.#book.save(alert, guard);
    if (!saved) this.#refused++;
    return saved;
  }

  #passes(bet: { edge: number; odds: number; league: string }): boolean {
    const f = this.filter;
    return bet.edge >= f.minEdge && bet.odds >= f.minOdds && bet.odds <= f.maxOdds &&
      (f.leagues === null || f.leagues.includes(bet.league));
  }

  async #onValueBet(event: PublishedEvent): Promise<void> {
    if (event.event.type !== "value_bet") return;
    const bet = event.event.bet;
    // Event time, not handling time: handling runs a little after publication.
    const at = new Date(event.published_at).toISOString();
    // One alert per match, market and selection: a closed one reopens instead of a new one.
    const current = this.#book.openFor(bet) ?? this.#book.latestFor(bet);
    const guard: AlertWriteGuard = event.fence ? { fence: event.fence } : {};
    if (current) {
      // Reopening is opening: the same filter applies (an open alert follows its bet below it).
      if (current.status === "closed" && !this.#passes(bet)) return;
      const next = alertAfter(current, bet.action, bet, at);
      // Not over a change another instance made meanwhile (the settlement at kick-off).
      if (next) await this.#save(next, { ...guard, expected: current });
      return;
    }
    if (bet.action === "close") return;
    if (!this.#passes(bet) || Date.parse(bet.kickoff) <= event.published_at) return;
    const id = await this.#book.nextId();
    const saved = await this.#save(openedAlert(bet, { id, event_id: event.event_id, at }), guard);
    if (saved) await this.#prices.persist(bet.match_id);
  }

  async #onOdds(event: PublishedEvent): Promise<void> {
    if (event.event.type !== "odds") return;
    const match = event.event.match;
    const t = event.published_at;
    const kickoff = Date.parse(match.kickoff);
    if (!(kickoff > t)) return;
    const last = { odds: match.odds, at: t, kickoff };
    await this.#prices.record(match.id, last, this.#book.hasPending(match.id));
  }

  async #closingFor(matchId: string, kickoff: number): Promise<MatchOdds | null> {
    const provided = this.#options.closingOdds ? await this.#options.closingOdds(matchId) : null;
    return provided ?? this.#prices.closing(matchId, kickoff);
  }

  async #withClosingLine(alert: Alert, kickoff: number, t: number, at: string): Promise<Alert> {
    const closing = await this.#closingFor(alert.match_id, kickoff);
    const snap = closing
      ? closingSnapshot(closing, alert.market, alert.selection, this.#options.marginMethod)
      : null;
    if (snap) {
      return {
        ...alert,
        closing_odds: snap.price,
        closing_fair_probability: snap.fairProbability,
        clv: closingLineValue(alert.odds, snap.fairProbability),
        clv_status: "recorded",
        updated_at: at,
      };
    }
    if (t - kickoff > this.#graceMs) return { ...alert, clv_status: "unavailable", updated_at: at };
    return alert;
  }

  async #settleOnce(): Promise<number> {
    const lease = this.#options.settleLease;
    const fence = lease?.fence ?? null;
    if (lease && fence === null) return 0;
    // Settle from the latest stored alerts: fewer writes refused as based on a stale copy.
    if (lease) await this.#book.refresh();
    const t = this.#now();
    const at = new Date(t).toISOString();
    let changed = 0;
    const doneMatches = new Set<string>();
    for (const alert of this.#book.all()) {
      const kickoff = Date.parse(alert.kickoff);
      if (!(kickoff <= t)) continue;
      let next = alert;
      if (next.status === "open") {
        next = { ...next, status: "closed", closed_at: at, updated_at: at };
      }
      if (next.clv_status === "pending") next = await this.#withClosingLine(next, kickoff, t, at);
      if (next.result === null && this.#options.result) {
        const result = await this.#options.result(next.match_id);
        if (result) next = settled(next, result, at);
      }
      const guard: AlertWriteGuard = { expected: alert };
      if (lease) guard.fence = { source: lease.source, fence: fence! };
      if (next !== alert && await this.#save(next, guard)) changed++;
      if (next.clv_status !== "pending") doneMatches.add(next.match_id);
    }
    for (const [matchId, last] of this.#prices.entries()) {
      if (t - last.kickoff <= this.#graceMs && !doneMatches.has(matchId)) continue;
      if (this.#book.hasPending(matchId)) continue;
      await this.#prices.forget(matchId);
    }
    return changed;
  }

  async #recordOnce(matchId: string, result: MatchResult): Promise<number> {
    if (![result.home_goals, result.away_goals].every((g) => Number.isInteger(g) && g >= 0)) {
      throw new RangeError(`Invalid score ${result.home_goals}-${result.away_goals}`);
    }
    const at = new Date(this.#now()).toISOString();
    let changed = 0;
    for (const alert of this.#book.all()) {
      if (alert.match_id !== matchId || alert.result !== null) continue;
      const next = settled(alert, result, at);
      if (next !== alert && await this.#save(next, { expected: alert })) changed++;
    }
    return changed;
  }
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

/** Opens the engine, reloading alerts and last-seen prices from KV when given. */
export async function openAlertEngine(options: AlertEngineOptions = {}): Promise<AlertEngine> {
  const filter: AlertFilter = { ...DEFAULT_FILTER, ...options.filter };
  if (!(filter.minOdds > 1) || !(filter.maxOdds >= filter.minOdds)) {
    throw new RangeError(`Alert odds range ${filter.minOdds}-${filter.maxOdds} is invalid`);
  }
  const prefix = options.prefix ?? ["alerts"];
  const book = await AlertBook.open({
    storage: options.storage ?? (options.kv ? kvAlertStorage(options.kv, prefix) : undefined),
    maxAlerts: options.maxAlerts ?? 10_000,
  });
  const prices = await LastPrices.open({ kv: options.kv, prefix });
  return new AlertEngine(book, { ...options, prices, filter });
}
