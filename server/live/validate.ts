/**
 * Validation of scraped rows: teams and kick-off present, every price a decimal above 1, a known
 * league (key or alias) and canonical team names. Invalid rows are dropped with a reason so the
 * caller can count them; nothing here throws on bad input.
 * @module
 */
import { findLeague } from "../domain/leagues.ts";
import type { MatchOdds } from "../domain/live_protocol.ts";

/** A row as a parser read it: every field a raw string, possibly missing. */
export interface RawOddsRow {
  league?: string;
  home?: string;
  away?: string;
  kickoff?: string;
  home_odds?: string;
  draw_odds?: string;
  away_odds?: string;
  over_2_5?: string;
  under_2_5?: string;
  btts_yes?: string;
  btts_no?: string;
  /**
   * The bookmaker of these prices when the source lists several per match: the match is then
   * stored under the source label `${source}/${book}`.
   */
  book?: string;
}

/** A validated match with its prices at one source. */
export interface ScrapedMatch {
  /** Stable across sources: `${league}:${YYYY-MM-DD}:${home-slug}:${away-slug}`. */
  id: string;
  league: string;
  home_team: string;
  away_team: string;
  /** ISO 8601 kick-off (UTC). */
  kickoff: string;
  /** Where the prices were read: the scrape source, or `${source}/${book}` for one of its books. */
  source: string;
  /**
   * The scrape source that read them when `source` names one of its books: its lease fences the
   * writes of all its books. @default source
   */
  feed?: string;
  odds: MatchOdds;
}

/** The scrape source whose lease fences a match's writes. */
export function feedOf(m: Pick<ScrapedMatch, "source" | "feed">): string {
  return m.feed ?? m.source;
}

/** Why a row was dropped. */
export type RejectReason =
  | "missing_team"
  | "same_team"
  | "missing_kickoff"
  | "bad_kickoff"
  | "bad_odds"
  | "unknown_league";

/** A dropped row. */
export interface RejectedRow {
  /** Index of the row in the parser's output. */
  row: number;
  reason: RejectReason;
  detail: string;
}

/** Options of {@link validateRows}. */
export interface ValidateOptions {
  /** Name of the source, copied to every match. */
  source: string;
  /** League of rows that do not name one. @default undefined */
  league?: string;
  /**
   * Maps a team name or alias to its canonical spelling for a league; returning undefined keeps
   * the scraped name. @default identity
   */
  canonicalTeam?: (league: string, name: string) => string | undefined;
  /** Highest plausible decimal price; above it a price is treated as garbage. @default 1000 */
  maxOdds?: number;
}

/** The outcome of validating one scrape. */
export interface ValidationResult {
  matches: ScrapedMatch[];
  rejected: RejectedRow[];
}

/** URL-friendly slug of a team name (`Nott'm Forest` -> `nott-m-forest`). */
export function slugify(name: string): string {
  return name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/** The id of a match: the same at every source once names are canonical. */
export function matchId(league: string, kickoff: string, home: string, away: string): string {
  return `${league}:${kickoff.slice(0, 10)}:${slugify(home)}:${slugify(away)}`;
}

function price(raw: string | undefined, maxOdds: number): number | undefined | null {
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw.trim().replace(",", "."));
  if (!Number.isFinite(n) || n <= 1 || n > maxOdds) return null;
  return Math.round(n * 1000) / 1000;
}

function cleanName(raw: string | undefined): string {
  return (raw ?? "").replace(/\s+/g, " ").trim();
}

function validateRow(
  row: RawOddsRow,
  options: ValidateOptions,
): ScrapedMatch | { reason: RejectReason; detail: string } {
  const leagueName = cleanName(row.league) || options.league || "";
  const league = leagueName ? findLeague(leagueName) : undefined;
  if (!league) return { reason: "unknown_league", detail: `Unknown league "${leagueName}"` };
  let home = cleanName(row.home);
  let away = cleanName(row.away);
  if (!home || !away) return { reason: "missing_team", detail: "Home or away team is missing" };
  const canonical = options.canonicalTeam;
  if (canonical) {
    home = canonical(league.key, home) ?? home;
    away = canonical(league.key, away) ?? away;
  }
  if (home === away) return { reason: "same_team", detail: `"${home}" plays itself` };
  const kickoffRaw = cleanName(row.kickoff);
  if (!kickoffRaw) return { reason: "missing_kickoff", detail: "Kick-off is missing" };
  const kickoff = new Date(kickoffRaw);
  if (Number.isNaN(kickoff.getTime())) {
    return { reason: "bad_kickoff", detail: `Cannot read kick-off "${kickoffRaw}"` };
  }
  const maxOdds = options.maxOdds ?? 1000;
  const h = price(row.home_odds, maxOdds);
  const d = price(row.draw_odds, maxOdds);
  const a = price(row.away_odds, maxOdds);
  if (!h || !d || !a) {
    return {
      reason: "bad_odds",
      detail:
        `1X2 prices must be decimals above 1, got "${row.home_odds}" "${row.draw_odds}" "${row.away_odds}"`,
    };
  }
  const odds: MatchOdds = { x12: { home: h, draw: d, away: a } };
  const extras = [
    ["over_2_5", row.over_2_5],
    ["under_2_5", row.under_2_5],
    ["btts_yes", row.btts_yes],
    ["btts_no", row.btts_no],
  ] as const;
  for (const [key, raw] of extras) {
    const p = price(raw, maxOdds);
    if (p === null) return { reason: "bad_odds", detail: `Price ${key} "${raw}" is not above 1` };
    if (p !== undefined) odds[key] = p;
  }
  const iso = kickoff.toISOString();
  return {
    id: matchId(league.key, iso, home, away),
    league: league.key,
    home_team: home,
    away_team: away,
    kickoff: iso,
    ...(row.book
      ? { source: `${options.source}/${row.book}`, feed: options.source }
      : { source: options.source }),
    odds,
  };
}

/**
 * Validates parsed rows. Valid rows become {@link ScrapedMatch}es (a duplicate id at one source
 * label keeps the first row); the others are returned in `rejected` with a reason.
 */
export function validateRows(rows: RawOddsRow[], options: ValidateOptions): ValidationResult {
  const matches: ScrapedMatch[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const r = validateRow(row, options);
    if ("reason" in r) {
      rejected.push({ row: i, reason: r.reason, detail: r.detail });
    } else if (!seen.has(`${r.id} ${r.source}`)) {
      seen.add(`${r.id} ${r.source}`);
      matches.push(r);
    }
  });
  return { matches, rejected };
}
