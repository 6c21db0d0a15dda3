/**
 * Odds sources: where prices are scraped from, how often, and with which parser. Sources come
 * from a JSON file named by `ODDS_SOURCES` plus the built-ins (the demo bookmaker, and the public
 * football-data.co.uk fixtures file when asked for by name).
 * @module
 */
import { z } from "zod";
import { findLeague } from "../domain/leagues.ts";

/** The parsers a source may use. */
export type ParserKind = "html" | "football-data-csv";

/**
 * CSS selectors of an HTML odds table. A selector may end in `@attr` to read an attribute instead
 * of the text; a selector that is only `@attr` reads the attribute of the row element itself.
 */
export interface HtmlSelectors {
  /** One element per match. */
  row: string;
  home: string;
  away: string;
  /** Kick-off as ISO 8601 (or anything `Date` parses). */
  kickoff: string;
  /** League key or alias; when missing the source's `league` is used. */
  league?: string;
  home_odds: string;
  draw_odds: string;
  away_odds: string;
  over_2_5?: string;
  under_2_5?: string;
  btts_yes?: string;
  btts_no?: string;
}

/** Selectors that read the demo bookmaker's board (and any page laid out the same way). */
export const DEFAULT_HTML_SELECTORS: HtmlSelectors = {
  row: "table.odds-board tbody tr.match",
  home: "td.home",
  away: "td.away",
  kickoff: "td.kickoff time@datetime",
  league: "@data-league",
  home_odds: "td.price-home",
  draw_odds: "td.price-draw",
  away_odds: "td.price-away",
  over_2_5: "td.price-over",
  under_2_5: "td.price-under",
  btts_yes: "td.price-btts-yes",
  btts_no: "td.price-btts-no",
};

/** One configured source. */
export interface SourceConfig {
  /** Unique name, used in metrics and as the `source` of its matches. */
  name: string;
  url: string;
  /** Time between two scrapes. */
  interval_ms: number;
  parser: ParserKind;
  /** HTML parser selectors, merged over {@link DEFAULT_HTML_SELECTORS}. */
  selectors?: Partial<HtmlSelectors>;
  /** League key or alias of every row that does not name its own. */
  league?: string;
  /** Per-request timeout. @default 10000 */
  timeout_ms?: number;
}

const SelectorsSchema = z.object({
  row: z.string().min(1),
  home: z.string().min(1),
  away: z.string().min(1),
  kickoff: z.string().min(1),
  league: z.string().min(1),
  home_odds: z.string().min(1),
  draw_odds: z.string().min(1),
  away_odds: z.string().min(1),
  over_2_5: z.string().min(1),
  under_2_5: z.string().min(1),
  btts_yes: z.string().min(1),
  btts_no: z.string().min(1),
}).partial().strict();

const SourceSchema = z.object({
  name: z.string().trim().min(1).max(64).regex(/^[\w.-]+$/, "Use letters, digits, _ . or -"),
  url: z.string().url().refine((u) => /^https?:/.test(u), "Expected an http or https URL"),
  interval_ms: z.number().int().min(1_000).max(86_400_000),
  parser: z.enum(["html", "football-data-csv"]),
  selectors: SelectorsSchema.optional(),
  league: z.string().refine((l) => findLeague(l) !== undefined, "Unknown league").optional(),
  timeout_ms: z.number().int().min(100).max(120_000).optional(),
}).strict();

/** The public football-data.co.uk upcoming fixtures with odds (needs internet access). */
export const FOOTBALL_DATA_FIXTURES: SourceConfig = {
  name: "football-data-fixtures",
  url: "https://www.football-data.co.uk/fixtures.csv",
  interval_ms: 15 * 60_000,
  parser: "football-data-csv",
  timeout_ms: 15_000,
};

/** Built-in sources that may be named in a sources file as `{ "builtin": "<name>" }`. */
export const BUILTIN_SOURCES: Readonly<Record<string, SourceConfig>> = {
  [FOOTBALL_DATA_FIXTURES.name]: FOOTBALL_DATA_FIXTURES,
};

/** Whether a source is the embedded demo market (`demo`, `demo-<book>`): pages label it demo. */
export function isDemoSource(name: string): boolean {
  return name === "demo" || name.startsWith("demo-");
}

/** One source per book of the embedded demo market, each named by its book. */
export function demoSources(
  demo: { books: readonly { name: string }[]; bookUrl(book: string): string },
  intervalMs = 2_000,
): SourceConfig[] {
  return demo.books.map((b) => ({
    name: b.name,
    url: demo.bookUrl(b.name),
    interval_ms: intervalMs,
    parser: "html",
    timeout_ms: 5_000,
  }));
}

/**
 * Parses the JSON text of a sources file: a list of source objects, or `{ "builtin": name }`
 * entries. Throws an Error naming the entry and field at fault.
 */
export function parseSources(text: string, origin = "sources file"): SourceConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot read ${origin}: invalid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new Error(`Cannot read ${origin}: expected a JSON list`);
  const out: SourceConfig[] = [];
  raw.forEach((entry, i) => {
    if (entry && typeof entry === "object" && "builtin" in entry) {
      const name = String((entry as { builtin: unknown }).builtin);
      const builtin = BUILTIN_SOURCES[name];
      if (!builtin) throw new Error(`Cannot read ${origin}: entry ${i}: unknown builtin "${name}"`);
      out.push(builtin);
      return;
    }
    const r = SourceSchema.safeParse(entry);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue.path.join(".") || "entry";
      throw new Error(`Cannot read ${origin}: entry ${i}: ${field}: ${issue.message}`);
    }
    out.push(r.data as SourceConfig);
  });
  const names = new Set<string>();
  for (const s of out) {
    if (names.has(s.name)) throw new Error(`Cannot read ${origin}: duplicate source "${s.name}"`);
    names.add(s.name);
  }
  return out;
}

/** Reads and parses the sources file at `path` (see {@link parseSources}). */
export async function loadSourcesFile(path: string): Promise<SourceConfig[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(`Cannot read sources file "${path}": ${(error as Error).message}`);
  }
  return parseSources(text, `sources file "${path}"`);
}
