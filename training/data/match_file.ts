/**
 * One CSV file of matches in either known format, read row by row with every skipped row counted.
 * @module
 */
import type { MatchRecord } from "../../server/domain/types.ts";
import { parseCsv } from "./csv.ts";
import { footballDataRow, isFootballDataHeader } from "./football_data_format.ts";
import { isLeaguesHeader, leaguesRow } from "./leagues_format.ts";
import { type Cells, type RejectReason, RowRejected } from "./row_values.ts";

/** One accepted row, for readers that need more columns than `MatchRecord` keeps. */
export interface MatchRow {
  match: MatchRecord;
  cells: Cells;
  /** The file's column names, trimmed, in file order. */
  header: readonly string[];
  /** The file's name as given to {@link parseMatchFile}. */
  file: string;
}

/** Time zones of the wall-clock kick-off times in each format, and a hook on accepted rows. */
export interface MatchFileOptions {
  /**
   * Time zone of the shared `leagues/` files' kick-off times.
   * @default {"Europe/Berlin"}
   */
  leaguesTimeZone?: string;
  /**
   * Time zone of football-data.co.uk kick-off times.
   * @default {"Europe/London"}
   */
  footballDataTimeZone?: string;
  /**
   * Called for every row that parses into a match (duplicates included), so a reader of extra
   * columns (every bookmaker's prices) shares this parser instead of repeating it.
   */
  onRow?: (row: MatchRow) => void;
}

/** Matches of one file, in file order, with the count of data rows and of skipped rows. */
export interface MatchFile {
  matches: MatchRecord[];
  rows: number;
  rejected: Partial<Record<RejectReason, number>>;
}

/**
 * Parses a whole file. Throws when the header is neither format; bad rows never throw but are
 * counted in `rejected` by reason. `name` only appears in error messages.
 */
export function parseMatchFile(
  text: string,
  name: string,
  options: MatchFileOptions = {},
): MatchFile {
  const records = parseCsv(text);
  const result: MatchFile = { matches: [], rows: 0, rejected: {} };
  if (records.length === 0) return result;
  const [head, ...body] = records;
  const header = head.fields.map((f) => f.trim());
  let parseRow;
  if (head.error === undefined && isLeaguesHeader(header)) {
    const zone = options.leaguesTimeZone ?? "Europe/Berlin";
    parseRow = (cells: (c: string) => string) => leaguesRow(cells, zone);
  } else if (head.error === undefined && isFootballDataHeader(header)) {
    const zone = options.footballDataTimeZone ?? "Europe/London";
    parseRow = (cells: (c: string) => string) => footballDataRow(cells, zone);
  } else {
    throw new Error(
      `Cannot load "${name}": unrecognised header (expected the shared leagues/ or football-data.co.uk columns)`,
    );
  }
  const index = new Map(header.map((column, i) => [column, i] as const));
  for (const record of body) {
    const { fields } = record;
    if (fields.every((f) => f.trim() === "") && record.error === undefined) continue;
    result.rows++;
    // Spreadsheet exports often pad rows with empty trailing cells; anything else is malformed.
    const extra = fields.slice(header.length);
    if (
      record.error !== undefined || fields.length < header.length ||
      extra.some((f) => f.trim() !== "")
    ) {
      count(result.rejected, "malformed_line");
      continue;
    }
    const cells = (column: string) => {
      const i = index.get(column);
      return i === undefined ? "" : fields[i].trim();
    };
    try {
      const match = parseRow(cells);
      result.matches.push(match);
      options.onRow?.({ match, cells, header, file: name });
    } catch (error) {
      if (!(error instanceof RowRejected)) throw error;
      count(result.rejected, error.reason);
    }
  }
  return result;
}

function count(rejected: Partial<Record<RejectReason, number>>, reason: RejectReason): void {
  rejected[reason] = (rejected[reason] ?? 0) + 1;
}
