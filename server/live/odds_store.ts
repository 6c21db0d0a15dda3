/**
 * The odds store: latest prices per match and source, the opening price, and a bounded,
 * timestamped history of every change. Deno KV in production; an in-memory twin with the same
 * behaviour for unit tests.
 * @module
 */
import type { MatchOdds } from "../domain/live_protocol.ts";
import type { ScrapedMatch } from "./validate.ts";

/** The prices of a match at one source. */
export interface SourceQuote {
  source: string;
  odds: MatchOdds;
  /** The first prices this source showed for the match. */
  opening_odds: MatchOdds;
  opened_at: string;
  updated_at: string;
  /** Number of snapshots ever recorded (the next history sequence number). */
  changes: number;
}

/** A stored upcoming match with its prices per source. */
export interface StoredMatch {
  id: string;
  league: string;
  home_team: string;
  away_team: string;
  kickoff: string;
  /** One per source, most recently updated first. */
  quotes: SourceQuote[];
}

/** One recorded price change. */
export interface OddsSnapshot {
  at: string;
  source: string;
  odds: MatchOdds;
}

/** What {@link OddsStore.put} did. */
export interface PutResult {
  match: StoredMatch;
  /** The prices this source showed before, or null for a new quote. */
  previous: MatchOdds | null;
  /** True when the quote is new or a price moved by at least the tolerance. */
  changed: boolean;
}

/** Filter of {@link OddsStore.upcoming}. */
export interface UpcomingFilter {
  /** Canonical league key. */
  league?: string;
  /** Only matches kicking off at or after this time. @default the store's now() */
  from?: Date;
  /** @default 500 */
  limit?: number;
}

/** Storage of live odds. */
export interface OddsStore {
  /** Records the prices a source shows for a match at time `at`. */
  put(match: ScrapedMatch, at: Date): Promise<PutResult>;
  /** Upcoming matches in kick-off order. */
  upcoming(filter?: UpcomingFilter): Promise<StoredMatch[]>;
  /** One match, or null. */
  get(id: string): Promise<StoredMatch | null>;
  /** Recorded changes of a match, oldest first, at most the retention per source. */
  history(id: string, options?: { source?: string }): Promise<OddsSnapshot[]>;
  /** Removes matches that kicked off more than the keep-after-kick-off time before `now`. */
  cleanup(now: Date): Promise<number>;
}

/** Options of both store implementations. */
export interface OddsStoreOptions {
  /** Smallest price move that counts as a change. @default 0.01 */
  tolerance?: number;
  /** Snapshots kept per match and source (the opening price is kept apart). @default 200 */
  historyPerSource?: number;
  /** How long a match stays after kick-off before `cleanup` removes it. @default 6 hours */
  keepAfterKickoffMs?: number;
  /** Current time for `upcoming` without `from`. @default () => new Date() */
  now?: () => Date;
}

const PRICE_KEYS = ["over_2_5", "under_2_5", "btts_yes", "btts_no"] as const;

/** Whether any price differs by at least `tolerance`, or appeared or disappeared. */
export function oddsChanged(a: MatchOdds, b: MatchOdds, tolerance = 0.01): boolean {
  const eps = tolerance - 1e-9;
  const moved = (x: number | undefined, y: number | undefined) =>
    x === undefined || y === undefined ? x !== y : Math.abs(x - y) >= eps;
  return moved(a.x12.home, b.x12.home) || moved(a.x12.draw, b.x12.draw) ||
    moved(a.x12.away, b.x12.away) || PRICE_KEYS.some((k) => moved(a[k], b[k]));
}

/** The quote after a scrape: the same one when no price moved by the tolerance. */
export function nextQuote(prev: SourceQuote | null, m: ScrapedMatch, at: Date, tolerance: number) {
  const iso = at.toISOString();
  if (!prev) {
    const quote: SourceQuote = {
      source: m.source,
      odds: m.odds,
      opening_odds: m.odds,
      opened_at: iso,
      updated_at: iso,
      changes: 1,
    };
    return { quote, changed: true, previous: null };
  }
  if (!oddsChanged(prev.odds, m.odds, tolerance)) {
    return { quote: prev, changed: false, previous: prev.odds };
  }
  const quote = { ...prev, odds: m.odds, updated_at: iso, changes: prev.changes + 1 };
  return { quote, changed: true, previous: prev.odds };
}

/** Most recently updated first (then by source name). */
export function byUpdate(a: SourceQuote, b: SourceQuote) {
  return b.updated_at.localeCompare(a.updated_at) || a.source.localeCompare(b.source);
}

/** A stored match without its quotes. */
export type MatchMeta = Omit<StoredMatch, "quotes">;

/** The match fields of a scraped match. */
export function metaOf(m: ScrapedMatch): MatchMeta {
  return {
    id: m.id,
    league: m.league,
    home_team: m.home_team,
    away_team: m.away_team,
    kickoff: m.kickoff,
  };
}

/** The in-memory twin of {@link createKvOddsStore}. */
export function createMemoryOddsStore(options: OddsStoreOptions = {}): OddsStore {
  const tolerance = options.tolerance ?? 0.01;
  const keep = options.historyPerSource ?? 200;
  const keepAfter = options.keepAfterKickoffMs ?? 6 * 3_600_000;
  const now = options.now ?? (() => new Date());
  const matches = new Map<
    string,
    { meta: MatchMeta; quotes: Map<string, SourceQuote>; history: Map<string, OddsSnapshot[]> }
  >();
  const view = (e: { meta: MatchMeta; quotes: Map<string, SourceQuote> }): StoredMatch =>
    structuredClone({ ...e.meta, quotes: [...e.quotes.values()].sort(byUpdate) });
  return {
    put(m, at) {
      let e = matches.get(m.id);
      if (!e) {
        e = { meta: metaOf(m), quotes: new Map(), history: new Map() };
        matches.set(m.id, e);
      }
      e.meta = metaOf(m);
      const r = nextQuote(e.quotes.get(m.source) ?? null, m, at, tolerance);
      if (r.changed) {
        e.quotes.set(m.source, r.quote);
        const h = e.history.get(m.source) ?? [];
        h.push({ at: r.quote.updated_at, source: m.source, odds: m.odds });
        if (h.length > keep) h.splice(0, h.length - keep);
        e.history.set(m.source, h);
      }
      return Promise.resolve({ match: view(e), previous: r.previous, changed: r.changed });
    },
    upcoming(filter = {}) {
      const from = (filter.from ?? now()).toISOString();
      const out = [...matches.values()]
        .filter((e) =>
          e.meta.kickoff >= from && (!filter.league || e.meta.league === filter.league)
        )
        .sort((a, b) =>
          a.meta.kickoff.localeCompare(b.meta.kickoff) || a.meta.id.localeCompare(b.meta.id)
        )
        .slice(0, filter.limit ?? 500);
      return Promise.resolve(out.map(view));
    },
    get(id) {
      const e = matches.get(id);
      return Promise.resolve(e ? view(e) : null);
    },
    history(id, opts = {}) {
      const e = matches.get(id);
      if (!e) return Promise.resolve([]);
      const all = [...e.history.entries()]
        .filter(([source]) => !opts.source || source === opts.source)
        .flatMap(([, h]) => h);
      return Promise.resolve(structuredClone(all.sort((a, b) => a.at.localeCompare(b.at))));
    },
    cleanup(at) {
      let n = 0;
      for (const [id, e] of matches) {
        if (Date.parse(e.meta.kickoff) + keepAfter < at.getTime()) {
          matches.delete(id);
          n++;
        }
      }
      return Promise.resolve(n);
    },
  };
}

const P = "live_odds";

/**
 * The odds store in Deno KV. Keys: `[live_odds, match, id]` (teams, league, kick-off),
 * `[live_odds, kickoff, ms, id]` (index), `[live_odds, quote, id, source]` (latest and opening
 * prices) and `[live_odds, history, id, source, seq]` (one per change; the one falling out of the
 * retention window is deleted in the same atomic write). The caller owns and closes `kv`.
 */
export function createKvOddsStore(kv: Deno.Kv, options: OddsStoreOptions = {}): OddsStore {
  const tolerance = options.tolerance ?? 0.01;
  const keep = options.historyPerSource ?? 200;
  const keepAfter = options.keepAfterKickoffMs ?? 6 * 3_600_000;
  const now = options.now ?? (() => new Date());

  async function load(id: string): Promise<StoredMatch | null> {
    const meta = await kv.get<MatchMeta>([P, "match", id]);
    if (!meta.value) return null;
    const quotes: SourceQuote[] = [];
    for await (const q of kv.list<SourceQuote>({ prefix: [P, "quote", id] })) quotes.push(q.value);
    return { ...meta.value, quotes: quotes.sort(byUpdate) };
  }

  async function remove(id: string, kickoff: string) {
    const keys: Deno.KvKey[] = [[P, "match", id], [P, "kickoff", Date.parse(kickoff), id]];
    for (const prefix of [[P, "quote", id], [P, "history", id]]) {
      for await (const e of kv.list({ prefix })) keys.push(e.key);
    }
    // KV caps an atomic write at 1000 mutations.
    for (let i = 0; i < keys.length; i += 500) {
      const op = kv.atomic();
      for (const k of keys.slice(i, i + 500)) op.delete(k);
      await op.commit();
    }
  }

  return {
    async put(m, at) {
      const [metaEntry, quoteEntry] = await kv.getMany<[MatchMeta, SourceQuote]>([
        [P, "match", m.id],
        [P, "quote", m.id, m.source],
      ]);
      const r = nextQuote(quoteEntry.value, m, at, tolerance);
      const meta = metaOf(m);
      const op = kv.atomic();
      const old = metaEntry.value;
      if (!old || old.kickoff !== meta.kickoff || old.league !== meta.league) {
        if (old) op.delete([P, "kickoff", Date.parse(old.kickoff), m.id]);
        op.set([P, "match", m.id], meta);
        op.set([P, "kickoff", Date.parse(meta.kickoff), m.id], meta.league);
      }
      if (r.changed) {
        const seq = r.quote.changes - 1;
        op.set([P, "quote", m.id, m.source], r.quote);
        op.set(
          [P, "history", m.id, m.source, seq],
          {
            at: r.quote.updated_at,
            source: m.source,
            odds: m.odds,
          } satisfies OddsSnapshot,
        );
        if (seq >= keep) op.delete([P, "history", m.id, m.source, seq - keep]);
      }
      await op.commit();
      const match = await load(m.id);
      return { match: match!, previous: r.previous, changed: r.changed };
    },
    async upcoming(filter = {}) {
      const from = (filter.from ?? now()).getTime();
      const limit = filter.limit ?? 500;
      const out: StoredMatch[] = [];
      const iter = kv.list<string>({ prefix: [P, "kickoff"], start: [P, "kickoff", from] });
      for await (const e of iter) {
        if (filter.league && e.value !== filter.league) continue;
        const m = await load(e.key[3] as string);
        if (m) out.push(m);
        if (out.length >= limit) break;
      }
      return out;
    },
    get: load,
    async history(id, opts = {}) {
      const prefix = opts.source ? [P, "history", id, opts.source] : [P, "history", id];
      const out: OddsSnapshot[] = [];
      for await (const e of kv.list<OddsSnapshot>({ prefix })) out.push(e.value);
      return out.sort((a, b) => a.at.localeCompare(b.at));
    },
    async cleanup(at) {
      const end = at.getTime() - keepAfter;
      const stale: [string, string][] = [];
      const iter = kv.list<string>({ prefix: [P, "kickoff"], end: [P, "kickoff", end] });
      for await (const e of iter) {
        stale.push([e.key[3] as string, new Date(e.key[2] as number).toISOString()]);
      }
      for (const [id, kickoff] of stale) await remove(id, kickoff);
      return stale.length;
    },
  };
}
