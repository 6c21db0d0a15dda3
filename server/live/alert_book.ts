/**
 * The stored alerts: in id order, at most `maxAlerts` (oldest dropped first), the open one per
 * match, market and selection, held in memory and persisted through an {@link AlertStorage}
 * (Deno KV embedded, Redis in the fleet, where the book also follows other instances' writes).
 * @module
 */
/// <reference lib="deno.unstable" />
import type { ValueBetEvent } from "../domain/live_protocol.ts";
import type { ValueBet } from "../domain/prediction.ts";

/**
 * One stored alert: the value bet as it was at alert time (`odds` is the price the alert tells
 * users to take), with its match and what happened next. Prices are decimal; profit is per unit
 * stake.
 */
export interface Alert extends ValueBet {
  id: number;
  /** `event_id` of the value-bet event that raised it. */
  event_id: number;
  created_at: string;
  match_id: string;
  league: string;
  home_team: string;
  away_team: string;
  kickoff: string;
  /** `open` while the value lasts; `closed` when it went away or the match kicked off. */
  status: "open" | "closed";
  /** The best price, its book and the edge while the alert is open (it opened at `odds`). */
  latest_odds: number;
  latest_bookmaker?: string;
  latest_edge?: number;
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

/** A new open alert of a value bet, raised by event `event_id` at `at` (ISO date-time). */
export function openedAlert(
  bet: Omit<ValueBetEvent, "action">,
  raised: { id: number; event_id: number; at: string },
): Alert {
  const { at } = raised;
  return {
    id: raised.id,
    event_id: raised.event_id,
    created_at: at,
    match_id: bet.match_id,
    league: bet.league,
    home_team: bet.home_team,
    away_team: bet.away_team,
    kickoff: bet.kickoff,
    market: bet.market,
    selection: bet.selection,
    odds: bet.odds,
    bookmaker: bet.bookmaker,
    books: bet.books,
    forecast: bet.forecast,
    probability: bet.probability,
    fair_odds: bet.fair_odds,
    edge: bet.edge,
    kelly_fraction: bet.kelly_fraction,
    expected_clv: bet.expected_clv,
    expected_clv_ci95: bet.expected_clv_ci95,
    status: "open",
    latest_odds: bet.odds,
    latest_bookmaker: bet.bookmaker,
    latest_edge: bet.edge,
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
}

/** Query of {@link AlertBook.list}. */
export interface AlertQuery {
  /** Alert id (exclusive) or ISO date-time (alerts created after it). */
  since?: number | string;
  /** @default 50 */
  limit?: number;
}

/** What identifies the bet of an alert. */
export interface BetKey {
  match_id: string;
  market: string;
  selection: string;
}

/** What another instance changed since the last {@link AlertStorage.changes} call. */
export interface AlertChanges {
  /** Changed or new alerts. */
  alerts: Alert[];
  /** Ids of dropped alerts. */
  dropped: number[];
}

/**
 * Conditions a shared storage checks before it writes (the fleet); a storage with one writer
 * ignores them.
 */
export interface AlertWriteGuard {
  /**
   * The writer's fencing token for a lease (an odds source, or the settlement lease): refused
   * when a newer token was issued, so a leader paused past its lease writes nothing.
   */
  fence?: { source: string; fence: number };
  /**
   * The alert as the writer last knew it: refused when the stored one differs (another
   * instance changed it first), which makes each change happen once fleet-wide.
   */
  expected?: Alert;
}

/** Where alerts persist. */
export interface AlertStorage {
  /** Every stored alert and the last id handed out. */
  load(): Promise<{ alerts: Alert[]; seq: number }>;
  /**
   * Stores a new or changed alert, deletes `dropped`, records `seq`; resolves `false` when the
   * guard refused the write (nothing was written).
   */
  save(
    alert: Alert,
    seq: number,
    dropped: number[],
    guard?: AlertWriteGuard,
  ): Promise<boolean | void>;
  /** A new alert id unique across writers (the fleet). @default the book's own sequence */
  allocateId?(): Promise<number>;
  /** Alerts other writers changed since the last call (the fleet). @default none */
  changes?(): Promise<AlertChanges>;
}

/** Alerts in Deno KV: `[...prefix, "a", id]` and `[...prefix, "seq"]`. */
export function kvAlertStorage(kv: Deno.Kv, prefix: Deno.KvKey): AlertStorage {
  return {
    async load() {
      const alerts: Alert[] = [];
      for await (const e of kv.list<Alert>({ prefix: [...prefix, "a"] })) alerts.push(e.value);
      const seq = (await kv.get<number>([...prefix, "seq"])).value ?? 0;
      return { alerts, seq };
    },
    async save(alert, seq, dropped) {
      const op = kv.atomic().set([...prefix, "a", alert.id], alert).set([...prefix, "seq"], seq);
      for (const id of dropped) op.delete([...prefix, "a", id]);
      await op.commit();
    },
  };
}

/** Options of {@link AlertBook.open}. */
export interface AlertBookOptions {
  /** @default none: alerts live in memory only */
  storage?: AlertStorage;
  /** Alerts kept (oldest dropped first). */
  maxAlerts: number;
}

function keyOf(bet: BetKey): string {
  return `${bet.match_id}\u0000${bet.market}\u0000${bet.selection}`;
}

/** The alerts, with the last id handed out. */
export class AlertBook {
  #options: AlertBookOptions;
  #alerts = new Map<number, Alert>();
  /** The open alert's id per bet. */
  #open = new Map<string, number>();
  /** The newest alert's id per bet, open or closed (what a reopening finds). */
  #latest = new Map<string, number>();
  #seq = 0;
  /**
   * At least the highest id held (it stays up after a refused write is undone): a new alert
   * below it would be out of order.
   */
  #highestId = 0;

  private constructor(options: AlertBookOptions) {
    this.#options = options;
  }

  /** Opens the book, reloading alerts from the storage when given. */
  static async open(options: AlertBookOptions): Promise<AlertBook> {
    const book = new AlertBook(options);
    if (options.storage) {
      const { alerts, seq } = await options.storage.load();
      for (const alert of alerts.sort((a, b) => a.id - b.id)) book.#put(alert);
      book.#seq = Math.max(book.#seq, seq);
    }
    return book;
  }

  /** Takes in what other writers stored meanwhile (fleet); returns how many alerts changed. */
  async refresh(): Promise<number> {
    const changes = await this.#options.storage?.changes?.();
    if (!changes) return 0;
    for (const id of changes.dropped) {
      const old = this.#alerts.get(id);
      if (!old) continue;
      this.#forget(old);
    }
    // A changed alert keeps its place in the map and a new one goes last: the book stays in id
    // order unless a new alert arrives below one already held (another writer was slower).
    let inOrder = true;
    for (const alert of [...changes.alerts].sort((a, b) => a.id - b.id)) {
      if (!this.#alerts.has(alert.id) && alert.id < this.#highestId) inOrder = false;
      this.#put(alert);
      this.#seq = Math.max(this.#seq, alert.id);
    }
    if (!inOrder) this.#sort();
    return changes.alerts.length + changes.dropped.length;
  }

  #sort(): void {
    this.#alerts = new Map([...this.#alerts].sort((a, b) => a[0] - b[0]));
  }

  #put(alert: Alert): void {
    this.#alerts.set(alert.id, alert);
    this.#highestId = Math.max(this.#highestId, alert.id);
    this.#seq = Math.max(this.#seq, alert.id);
    const key = keyOf(alert);
    if (alert.status === "open") this.#open.set(key, alert.id);
    else if (this.#open.get(key) === alert.id) this.#open.delete(key);
    if (!(alert.id < (this.#latest.get(key) ?? -Infinity))) this.#latest.set(key, alert.id);
  }

  /** Removes an alert; alerts drop oldest first, so an older one of its bet is gone too. */
  #forget(alert: Alert): void {
    const key = keyOf(alert);
    this.#alerts.delete(alert.id);
    if (this.#open.get(key) === alert.id) this.#open.delete(key);
    if (this.#latest.get(key) === alert.id) this.#latest.delete(key);
  }

  /** Every alert, in id order. */
  all(): Alert[] {
    return [...this.#alerts.values()];
  }

  /** The open alert of a bet. */
  openFor(bet: BetKey): Alert | undefined {
    const id = this.#open.get(keyOf(bet));
    return id === undefined ? undefined : this.#alerts.get(id);
  }

  /** The newest alert of a bet, open or closed. */
  latestFor(bet: BetKey): Alert | undefined {
    const id = this.#latest.get(keyOf(bet));
    return id === undefined ? undefined : this.#alerts.get(id);
  }

  /** The next alert id (unique across the fleet when the storage allocates ids). */
  async nextId(): Promise<number> {
    const storage = this.#options.storage;
    if (storage?.allocateId) {
      this.#seq = Math.max(this.#seq, await storage.allocateId());
      return this.#seq;
    }
    return ++this.#seq;
  }

  /** Whether an alert of the match still waits for its closing line. */
  hasPending(matchId: string): boolean {
    for (const a of this.#alerts.values()) {
      if (a.match_id === matchId && a.clv_status === "pending") return true;
    }
    return false;
  }

  /**
   * Stores a new or changed alert, dropping the oldest beyond `maxAlerts`; returns false (and
   * keeps the book as it was) when the storage's guard refused the write.
   */
  async save(alert: Alert, guard?: AlertWriteGuard): Promise<boolean> {
    const before = this.#alerts.get(alert.id);
    const key = keyOf(alert);
    const latestBefore = this.#latest.get(key);
    const seq = this.#seq;
    this.#put(alert);
    this.#seq = seq;
    const dropped: Alert[] = [];
    while (this.#alerts.size > this.#options.maxAlerts) {
      const [oldest] = this.#alerts.values();
      this.#forget(oldest);
      dropped.push(oldest);
    }
    const ids = dropped.map((a) => a.id);
    if (await this.#options.storage?.save(alert, this.#seq, ids, guard) !== false) return true;
    this.#forget(alert);
    if (latestBefore !== undefined) this.#latest.set(key, latestBefore);
    for (const old of [...dropped, ...(before ? [before] : [])]) this.#put(old);
    this.#sort();
    return false;
  }

  /** Alerts in id order: after `since`, or the latest `limit` without it. */
  list(query: AlertQuery = {}): { alerts: Alert[]; next_since: number | null } {
    const limit = Math.max(1, Math.min(query.limit ?? 50, 1000));
    const all = this.all();
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
}
