/**
 * Every bookmaker's prices from football-data.co.uk files (`bookmakers/<DIV>/<season>.csv`):
 * each book's opening 1X2 and over/under 2.5 prices, the market's best and average prices, and
 * Pinnacle's opening and closing prices. Columns vary by season, so books are found by name in
 * each file's header: a book is any column prefix `X` with `XH`, `XD`, `XA` (or `X>2.5`, `X<2.5`)
 * that is not an aggregate (`Max`, `Avg`, `BbMx`, `BbAv`) nor a closing form (`XC` beside `X`).
 * Rows are parsed by the football-data.co.uk reader, so dates, teams and goals follow its rules.
 * @module
 */
import type { MatchRecord } from "../../server/domain/types.ts";
import { loadMatches, type LoadOptions } from "./load.ts";
import type { MatchRow } from "./match_file.ts";
import { type Cells, prices } from "./row_values.ts";

/** One bookmaker's prices for one market: 1X2 `[home, draw, away]` or totals `[over, under]`. */
export interface BookPrice {
  /** football-data.co.uk's code of the book (`B365`, `PS` for Pinnacle, `WH`...). */
  book: string;
  prices: number[];
}

/** A match with every bookmaker's prices. */
export interface BookmakerMatch {
  match: MatchRecord;
  /** Season label of the file (`2012-13`), else of the kick-off date. */
  season: string;
  /** Opening 1X2 prices of every book that quoted a complete, valid set. */
  x12: BookPrice[];
  /** Opening over/under 2.5 prices of every book that quoted them. */
  totals25: BookPrice[];
  /** Best and average opening prices over the books football-data follows. */
  aggregate: { maxX12?: number[]; avgX12?: number[]; maxTotals25?: number[] };
  /** Pinnacle's closing prices, the reference for closing line value. */
  pinnacleClose: { x12?: number[]; totals25?: number[] };
}

/** Loaded matches with their books, sorted by kick-off, and what was skipped. */
export interface BookmakerLoad {
  matches: BookmakerMatch[];
  rows: number;
  rejected: Record<string, number>;
}

/** Pinnacle's code in the 1X2 columns; its totals columns use `P`. */
export const PINNACLE = "PS";

const AGGREGATES = new Set(["Max", "Avg", "BbMx", "BbAv"]);
const X12_SUFFIXES = ["H", "D", "A"];
const TOTALS_SUFFIXES = [">2.5", "<2.5"];

interface BookColumns {
  x12: string[];
  totals25: string[];
}

const booksByHeader = new WeakMap<readonly string[], BookColumns>();

function prefixes(header: readonly string[], suffixes: readonly string[]): string[] {
  const columns = new Set(header);
  const found = new Set<string>();
  for (const column of header) {
    if (!column.endsWith(suffixes[0])) continue;
    const prefix = column.slice(0, column.length - suffixes[0].length);
    if (prefix !== "" && suffixes.every((s) => columns.has(prefix + s))) found.add(prefix);
  }
  // `VCC` (VC closing) sits beside `VC`; `VC` itself is a book because there is no `V`.
  const closing = (p: string) => p.endsWith("C") && found.has(p.slice(0, -1));
  return [...found].filter((p) => !AGGREGATES.has(p) && !closing(p));
}

/** The opening books of a header, found once per file. */
export function bookColumns(header: readonly string[]): BookColumns {
  let books = booksByHeader.get(header);
  if (!books) {
    books = { x12: prefixes(header, X12_SUFFIXES), totals25: prefixes(header, TOTALS_SUFFIXES) };
    booksByHeader.set(header, books);
  }
  return books;
}

function valid(cells: Cells, group: readonly string[]): number[] | undefined {
  const p = prices(cells, [group]);
  return Array.isArray(p) ? p : undefined;
}

function firstValid(cells: Cells, groups: readonly (readonly string[])[]): number[] | undefined {
  for (const g of groups) {
    const p = valid(cells, g);
    if (p) return p;
  }
  return undefined;
}

const withSuffixes = (prefix: string, suffixes: readonly string[]) =>
  suffixes.map((s) => prefix + s);

/** A season label `2012-13` from a file name, or from the match's `2012-2013`. */
function seasonLabel(file: string, match: MatchRecord): string {
  const named = /(\d{4})-(\d{2})\.csv$/i.exec(file);
  if (named) return `${named[1]}-${named[2]}`;
  const [start, end] = match.season.split("-");
  return `${start}-${end.slice(2)}`;
}

/** The bookmaker prices of one accepted row. Books with a missing or broken price are left out. */
export function bookmakerRow(row: MatchRow): BookmakerMatch {
  const { cells, match } = row;
  const books = bookColumns(row.header);
  const x12: BookPrice[] = [];
  for (const book of books.x12) {
    const p = valid(cells, withSuffixes(book, X12_SUFFIXES));
    if (p) x12.push({ book, prices: p });
  }
  const totals25: BookPrice[] = [];
  for (const book of books.totals25) {
    const p = valid(cells, withSuffixes(book, TOTALS_SUFFIXES));
    if (p) totals25.push({ book: book === "P" ? PINNACLE : book, prices: p });
  }
  return {
    match,
    season: seasonLabel(row.file, match),
    x12,
    totals25,
    aggregate: {
      maxX12: firstValid(cells, [["MaxH", "MaxD", "MaxA"], ["BbMxH", "BbMxD", "BbMxA"]]),
      avgX12: firstValid(cells, [["AvgH", "AvgD", "AvgA"], ["BbAvH", "BbAvD", "BbAvA"]]),
      maxTotals25: firstValid(cells, [["Max>2.5", "Max<2.5"], ["BbMx>2.5", "BbMx<2.5"]]),
    },
    pinnacleClose: {
      x12: valid(cells, ["PSCH", "PSCD", "PSCA"]),
      totals25: valid(cells, ["PC>2.5", "PC<2.5"]),
    },
  };
}

/**
 * Loads football-data.co.uk files (a file, a folder searched recursively, or a list) with every
 * bookmaker's prices. The first copy of a match wins, as in `loadMatches`.
 */
export async function loadBookmakerMatches(
  sources: string | URL | readonly (string | URL)[],
  options: LoadOptions = {},
): Promise<BookmakerLoad> {
  const books = new Map<string, BookmakerMatch>();
  const loaded = await loadMatches(sources, {
    ...options,
    onRow: (row) => {
      if (!books.has(row.match.id)) books.set(row.match.id, bookmakerRow(row));
    },
  });
  return {
    matches: loaded.matches.map((m) => books.get(m.id)!),
    rows: loaded.rows,
    rejected: loaded.rejected,
  };
}
