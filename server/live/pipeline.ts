/**
 * The live pipeline: one scrape loop per source (stopped by an AbortSignal), validation, the odds
 * store, and on every price change beyond the store's tolerance a new prediction, the value bets
 * that opened, moved or closed, and events published through the broker.
 * @module
 */
import type { UpcomingMatch, ValueBetEvent } from "../domain/live_protocol.ts";
import type { Prediction, PredictionEngine, ValueBet } from "../domain/prediction.ts";
import type { LiveEvent } from "./broker.ts";
import type { OddsStore, StoredMatch } from "./odds_store.ts";
import { parseFootballDataCsv } from "./parsers/football_data_csv.ts";
import { abortableSleep, createScraper, type Scraper } from "./scraper.ts";
import type { SourceConfig } from "./sources.ts";
import type { SourceMetrics } from "./source_metrics.ts";
import { pickQuote, requestOdds, toMatchSummary, toUpcomingMatch } from "./upcoming_view.ts";
import { type RawOddsRow, type ScrapedMatch, validateRows } from "./validate.ts";

/** Where the pipeline sends its events (the broker of `server/live/broker.ts` fits). */
export interface EventPublisher {
  publish(event: LiveEvent): Promise<void>;
}

/** What one scrape of one source did. */
export interface ScrapeReport {
  source: string;
  at: string;
  ok: boolean;
  error?: string;
  rows: number;
  accepted: number;
  rejected: number;
  /** Matches whose prices changed (or appeared). */
  changed: number;
  /** Events published. */
  published: number;
}

/** Status of the pipeline for `/health` and the API. */
export interface PipelineStatus {
  running: boolean;
  sources: {
    name: string;
    url: string;
    parser: string;
    interval_ms: number;
    last_report: ScrapeReport | null;
  }[];
}

/** A current value bet with its match. */
export type CurrentValueBet = Omit<ValueBetEvent, "action"> & { source: string };

/** Options of {@link createLivePipeline}. */
export interface LivePipelineOptions {
  sources: SourceConfig[];
  store: OddsStore;
  engine: PredictionEngine;
  /** Receives `odds` and `value_bet` events. @default none: changes are only stored */
  broker?: EventPublisher;
  /** Stops every loop. */
  signal: AbortSignal;
  metrics?: SourceMetrics;
  /** Team-name canonicalisation passed to validation. @default identity */
  canonicalTeam?: (league: string, name: string) => string | undefined;
  /** @default () => new Date() */
  now?: () => Date;
  /** Builds the scraper of a source. @default createScraper with the source's URL and timeout */
  scraperFor?: (source: SourceConfig) => Scraper;
  /** Waits between scrapes. @default abortableSleep (real timers) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Start the loops at once; false leaves scraping to `scrapeOnce`. @default true */
  start?: boolean;
  /** Time between two store cleanups. @default 600000 */
  cleanupEveryMs?: number;
  /** Logs a source failing or recovering, and failed predictions. @default console.warn */
  log?: (message: string) => void;
}

/** A running pipeline. */
export interface LivePipeline {
  /** Scrapes one source now. Never throws: failures are in the report. */
  scrapeOnce(source: string): Promise<ScrapeReport>;
  /** The prediction for a stored match at its latest prices (cached per price update). */
  predict(match: StoredMatch): Promise<Prediction | undefined>;
  /** Value bets currently open, per match and source. */
  valueBets(): CurrentValueBet[];
  status(): PipelineStatus;
  /** Settles when every loop has stopped after the signal aborted. */
  readonly done: Promise<void>;
}

/**
 * The HTML parser module, loaded on first use: it pulls in cheerio (with parse5 and undici,
 * ~6 MB of heap), which a service without an HTML source never needs.
 */
let htmlParser: Promise<typeof import("./parsers/html_table.ts")> | undefined;

async function parse(source: SourceConfig, body: string): Promise<RawOddsRow[]> {
  if (source.parser !== "html") return parseFootballDataCsv(body);
  const { parseHtmlTable } = await (htmlParser ??= import("./parsers/html_table.ts"));
  return parseHtmlTable(body, source.selectors);
}

function betKey(b: ValueBet): string {
  return `${b.market}/${b.selection}`;
}

/** Creates the pipeline and, unless `start: false`, starts one loop per source. */
export function createLivePipeline(options: LivePipelineOptions): LivePipeline {
  const { store, engine, signal } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? abortableSleep;
  const log = options.log ?? ((m: string) => console.warn(m));
  const sources = new Map(options.sources.map((s) => [s.name, s]));
  const scrapers = new Map<string, Scraper>();
  const reports = new Map<string, ScrapeReport>();
  const failing = new Set<string>();
  const unpredictable = new Set<string>();
  /** Latest prediction per match, with the quote it was made for. */
  const predictions = new Map<string, { key: string; kickoff: string; prediction: Prediction }>();
  /** Open value bets per `${source}|${match id}`. */
  const openBets = new Map<string, { match: UpcomingMatch; bets: Map<string, ValueBet> }>();
  const scraperFor = options.scraperFor ??
    ((s: SourceConfig) =>
      createScraper({
        name: s.name,
        url: s.url,
        timeoutMs: s.timeout_ms,
        metrics: options.metrics,
      }));

  function scraperOf(source: SourceConfig): Scraper {
    let s = scrapers.get(source.name);
    if (!s) scrapers.set(source.name, s = scraperFor(source));
    return s;
  }

  async function predict(match: StoredMatch, source?: string): Promise<Prediction | undefined> {
    const quote = pickQuote(match, source);
    if (!quote) return undefined;
    const key = `${quote.source}@${quote.updated_at}@${JSON.stringify(quote.odds)}`;
    const cached = predictions.get(match.id);
    if (cached?.key === key) return cached.prediction;
    try {
      const prediction = await engine.predict({
        league: match.league,
        home_team: match.home_team,
        away_team: match.away_team,
        kickoff: match.kickoff,
        odds: requestOdds(quote),
      }, signal);
      predictions.set(match.id, { key, kickoff: match.kickoff, prediction });
      return prediction;
    } catch (error) {
      // Once per match: a league or team the models do not know fails on every price move.
      if (!signal.aborted && !unpredictable.has(match.id)) {
        unpredictable.add(match.id);
        log(`No prediction for "${match.id}": ${(error as Error).message}`);
      }
      return undefined;
    }
  }

  function betEvents(view: UpcomingMatch, prediction: Prediction): LiveEvent[] {
    const k = `${view.source}|${view.id}`;
    const before = openBets.get(k)?.bets ?? new Map<string, ValueBet>();
    const after = new Map(prediction.value_bets.map((b) => [betKey(b), b]));
    const base = {
      match_id: view.id,
      league: view.league,
      home_team: view.home_team,
      away_team: view.away_team,
      kickoff: view.kickoff,
    };
    const events: LiveEvent[] = [];
    for (const [key, bet] of after) {
      const prev = before.get(key);
      if (!prev) events.push({ type: "value_bet", bet: { ...bet, ...base, action: "open" } });
      else if (prev.odds !== bet.odds || Math.abs(prev.edge - bet.edge) >= 1e-4) {
        events.push({ type: "value_bet", bet: { ...bet, ...base, action: "update" } });
      }
    }
    for (const [key, bet] of before) {
      if (!after.has(key)) {
        events.push({ type: "value_bet", bet: { ...bet, ...base, action: "close" } });
      }
    }
    if (after.size) openBets.set(k, { match: view, bets: after });
    else openBets.delete(k);
    return events;
  }

  async function publish(event: LiveEvent): Promise<boolean> {
    if (!options.broker) return false;
    try {
      await options.broker.publish(event);
      return true;
    } catch (error) {
      log(`Cannot publish a live "${event.type}" event: ${(error as Error).message}`);
      return false;
    }
  }

  async function processMatch(
    m: ScrapedMatch,
    at: Date,
  ): Promise<{ changed: boolean; published: number }> {
    const r = await store.put(m, at);
    if (!r.changed) return { changed: false, published: 0 };
    const prediction = await predict(r.match, m.source);
    // Events carry the prediction's summary (~10x smaller); the full one is served by REST.
    const view = toMatchSummary(toUpcomingMatch(r.match, { source: m.source, prediction })!);
    let published = Number(await publish({ type: "odds", match: view, previous: r.previous }));
    if (prediction) {
      for (const e of betEvents(view, prediction)) published += Number(await publish(e));
    }
    return { changed: true, published };
  }

  async function scrapeOnce(name: string): Promise<ScrapeReport> {
    const source = sources.get(name);
    if (!source) throw new Error(`Unknown odds source "${name}"`);
    const at = now();
    const report: ScrapeReport = {
      source: name,
      at: at.toISOString(),
      ok: false,
      rows: 0,
      accepted: 0,
      rejected: 0,
      changed: 0,
      published: 0,
    };
    try {
      const body = await scraperOf(source).fetchText(signal);
      let rows: RawOddsRow[];
      try {
        rows = await parse(source, body);
      } catch (error) {
        options.metrics?.rows(name, 0, { unreadable_page: 1 });
        throw error;
      }
      const v = validateRows(rows, {
        source: name,
        league: source.league,
        canonicalTeam: options.canonicalTeam,
      });
      const byReason: Record<string, number> = {};
      for (const r of v.rejected) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
      options.metrics?.rows(name, v.matches.length, byReason);
      Object.assign(report, {
        rows: rows.length,
        accepted: v.matches.length,
        rejected: v.rejected.length,
      });
      for (const m of v.matches) {
        if (signal.aborted) break;
        const r = await processMatch(m, at);
        report.changed += Number(r.changed);
        report.published += r.published;
      }
      report.ok = true;
      if (failing.delete(name)) log(`Odds source "${name}" recovered`);
    } catch (error) {
      report.error = (error as Error).message;
      if (!signal.aborted && !failing.has(name)) {
        failing.add(name);
        log(`Odds source "${name}" failing: ${report.error}`);
      }
    }
    reports.set(name, report);
    return report;
  }

  async function loop(source: SourceConfig) {
    while (!signal.aborted) {
      await scrapeOnce(source.name);
      try {
        await sleep(source.interval_ms, signal);
      } catch {
        break;
      }
    }
  }

  async function cleanupLoop(everyMs: number) {
    while (!signal.aborted) {
      try {
        await sleep(everyMs, signal);
      } catch {
        break;
      }
      try {
        await store.cleanup(now());
        const cutoff = now().toISOString();
        for (const [id, p] of predictions) if (p.kickoff < cutoff) predictions.delete(id);
        for (const [k, b] of openBets) if (b.match.kickoff < cutoff) openBets.delete(k);
      } catch (error) {
        log(`Odds store cleanup failed: ${(error as Error).message}`);
      }
    }
  }

  const running = options.start !== false;
  const loops = running
    ? [...sources.values()].map(loop).concat(cleanupLoop(options.cleanupEveryMs ?? 600_000))
    : [];
  const done = (async () => {
    if (!signal.aborted) {
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true })
      );
    }
    await Promise.allSettled(loops);
    for (const s of scrapers.values()) s.close();
  })();

  return {
    scrapeOnce,
    predict: (match) => predict(match),
    valueBets() {
      const out: CurrentValueBet[] = [];
      const t = now().toISOString();
      for (const { match, bets } of openBets.values()) {
        if (match.kickoff < t) continue;
        for (const bet of bets.values()) {
          out.push({
            ...bet,
            match_id: match.id,
            league: match.league,
            home_team: match.home_team,
            away_team: match.away_team,
            kickoff: match.kickoff,
            source: match.source,
          });
        }
      }
      return out.sort((a, b) => b.edge - a.edge);
    },
    status: () => ({
      running: running && !signal.aborted,
      sources: [...sources.values()].map((s) => ({
        name: s.name,
        url: s.url,
        parser: s.parser,
        interval_ms: s.interval_ms,
        last_report: reports.get(s.name) ?? null,
      })),
    }),
    done,
  };
}
