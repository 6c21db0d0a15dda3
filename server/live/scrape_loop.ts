/**
 * The scrape loops of the live pipeline: one per source, each fetching, parsing and validating
 * the source's page on its interval and handing the accepted matches on; a failing source is
 * logged when it fails and when it recovers, never once per scrape. A store that cannot be
 * reached (the fleet's Redis away) is not the source failing: it is counted apart, and logged
 * once by the Redis client.
 * @module
 */
import { NotLeaderError } from "../fleet/not_leader.ts";
import { RedisUnavailableError } from "../fleet/redis_unavailable.ts";
import type { MatchChange } from "./change_detection.ts";
import { parseFootballDataCsv } from "./parsers/football_data_csv.ts";
import { abortableSleep, createScraper, type Scraper } from "./scraper.ts";
import type { SourceConfig } from "./sources.ts";
import type { SourceMetrics } from "./source_metrics.ts";
import { type RawOddsRow, type ScrapedMatch, validateRows } from "./validate.ts";

/** What one scrape of one source did. */
export interface ScrapeReport {
  source: string;
  at: string;
  /** The source answered with a readable page. */
  ok: boolean;
  error?: string;
  /** Why the accepted matches could not be stored (the source itself was fine). */
  store_error?: string;
  /**
   * This instance lost the source's lease during the scrape (fleet): the rest of its matches
   * are the new leader's to publish; the source itself was fine.
   */
  lost_lease?: boolean;
  rows: number;
  accepted: number;
  rejected: number;
  /** Matches whose prices changed (or appeared). */
  changed: number;
  /** Events published. */
  published: number;
}

/** Options of {@link ScrapeLoop}. */
export interface ScrapeLoopOptions {
  sources: SourceConfig[];
  /** Receives every accepted match of a scrape, in order. */
  onMatch: (match: ScrapedMatch, at: Date) => Promise<MatchChange>;
  /** Stops every loop and the scrape in flight. */
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
  /** Logs a source failing or recovering. */
  log: (message: string) => void;
  /**
   * Whether this instance scrapes `source` now (fleet mode: it holds the source's lease). While
   * false the loop only checks again every `followerPollMs`; other instances scrape.
   * @default always
   */
  leads?: (source: string) => boolean;
  /** How often a follower checks whether it leads. @default 200 */
  followerPollMs?: number;
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

/** Scrapes the configured sources, on demand or in loops. */
export class ScrapeLoop {
  #options: ScrapeLoopOptions;
  #sources: Map<string, SourceConfig>;
  #scrapers = new Map<string, Scraper>();
  #reports = new Map<string, ScrapeReport>();
  /** Sources whose last scrape failed (logged once until they recover). */
  #failing = new Set<string>();

  constructor(options: ScrapeLoopOptions) {
    this.#options = options;
    this.#sources = new Map(options.sources.map((s) => [s.name, s]));
  }

  /** The configured sources, in order. */
  get sources(): SourceConfig[] {
    return [...this.#sources.values()];
  }

  /** The last report of a source, or null before its first scrape. */
  lastReport(name: string): ScrapeReport | null {
    return this.#reports.get(name) ?? null;
  }

  /** Runs one loop per source until the signal aborts, then closes the scrapers. */
  async run(): Promise<void> {
    await Promise.allSettled(this.sources.map((s) => this.#loop(s)));
    this.close();
  }

  /** Closes the scrapers' connections. */
  close(): void {
    for (const s of this.#scrapers.values()) s.close();
  }

  /** Scrapes one source now. Never throws for a failing source: failures are in the report. */
  async scrapeOnce(name: string): Promise<ScrapeReport> {
    const source = this.#sources.get(name);
    if (!source) throw new Error(`Unknown odds source "${name}"`);
    const { signal, metrics, log } = this.#options;
    const at = (this.#options.now ?? (() => new Date()))();
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
      const body = await this.#scraperOf(source).fetchText(signal);
      let rows: RawOddsRow[];
      try {
        rows = await parse(source, body);
      } catch (error) {
        metrics?.rows(name, 0, { unreadable_page: 1 });
        throw error;
      }
      const v = validateRows(rows, {
        source: name,
        league: source.league,
        canonicalTeam: this.#options.canonicalTeam,
      });
      const byReason: Record<string, number> = {};
      for (const r of v.rejected) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
      metrics?.rows(name, v.matches.length, byReason);
      Object.assign(report, {
        rows: rows.length,
        accepted: v.matches.length,
        rejected: v.rejected.length,
      });
      try {
        for (const m of v.matches) {
          if (signal.aborted) break;
          const r = await this.#options.onMatch(m, at);
          report.changed += Number(r.changed);
          report.published += r.published;
        }
      } catch (error) {
        // The source answered: the store out of reach, or a lease lost to another instance, is
        // no failure of it.
        if (error instanceof NotLeaderError) report.lost_lease = true;
        else if (error instanceof RedisUnavailableError) {
          report.store_error = error.message;
          metrics?.storeFailure(name);
        } else throw error;
      }
      report.ok = true;
      if (this.#failing.delete(name)) log(`Odds source "${name}" recovered`);
    } catch (error) {
      report.error = (error as Error).message;
      if (!signal.aborted && !this.#failing.has(name)) {
        this.#failing.add(name);
        log(`Odds source "${name}" failing: ${report.error}`);
      }
    }
    this.#reports.set(name, report);
    return report;
  }

  #scraperOf(source: SourceConfig): Scraper {
    let s = this.#scrapers.get(source.name);
    if (!s) {
      const scraperFor = this.#options.scraperFor ??
        ((s: SourceConfig) =>
          createScraper({
            name: s.name,
            url: s.url,
            timeoutMs: s.timeout_ms,
            metrics: this.#options.metrics,
          }));
      this.#scrapers.set(source.name, s = scraperFor(source));
    }
    return s;
  }

  async #loop(source: SourceConfig): Promise<void> {
    const { signal } = this.#options;
    const sleep = this.#options.sleep ?? abortableSleep;
    const leads = this.#options.leads;
    while (!signal.aborted) {
      // A follower polls more often than the scrape interval so that it starts scraping soon
      // after it takes the lease over.
      let wait = Math.min(source.interval_ms, this.#options.followerPollMs ?? 200);
      if (!leads || leads(source.name)) {
        await this.scrapeOnce(source.name);
        wait = source.interval_ms;
      }
      try {
        await sleep(wait, signal);
      } catch {
        break;
      }
    }
  }
}
