/**
 * Reads football-data.co.uk `fixtures.csv`: `Div,Date,Time,HomeTeam,AwayTeam,...` with prices
 * per bookmaker. Each bookmaker priced in a row (`B365H/D/A`, `PSH/D/A` = Pinnacle, ...) gives one
 * row naming its book, with its totals where the file has them (`B365>2.5`, `P>2.5`). The
 * `Avg*`/`Max*` columns are aggregates, not books: a row without any book's price falls back to
 * one unnamed row of the average, else the maximum. Dates are `dd/mm/yyyy` (or `yy`) and times are
 * UK local time, converted to UTC.
 * @module
 */
import type { RawOddsRow } from "../validate.ts";

/** Splits CSV text into records (RFC 4180 quoting, CRLF or LF, BOM ignored). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && s[i + 1] === "\n") i++;
      record.push(field);
      if (record.length > 1 || record[0] !== "") records.push(record);
      record = [];
      field = "";
    } else field += ch;
  }
  record.push(field);
  if (record.length > 1 || record[0] !== "") records.push(record);
  return records;
}

/** Last Sunday of a month (0-based) at 01:00 UTC: when UK clocks change. */
function lastSundayUtc(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0, 1));
  return last.getTime() - last.getUTCDay() * 86_400_000;
}

/**
 * Converts a UK local date and time to an ISO string in UTC (BST from the last Sunday of March to
 * the last Sunday of October), or undefined when unreadable.
 */
export function ukLocalToIso(date: string, time: string): string | undefined {
  const d = date.trim().match(/^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/);
  if (!d) return undefined;
  const t = (time.trim() || "15:00").match(/^(\d{1,2}):(\d{2})$/);
  if (!t) return undefined;
  const year = d[3].length === 2 ? 2000 + Number(d[3]) : Number(d[3]);
  const [day, month, hour, minute] = [Number(d[1]), Number(d[2]), Number(t[1]), Number(t[2])];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(asUtc);
  if (check.getUTCDate() !== day) return undefined;
  const bst = asUtc - 3_600_000 >= lastSundayUtc(year, 2) &&
    asUtc - 3_600_000 < lastSundayUtc(year, 9);
  return new Date(asUtc - (bst ? 3_600_000 : 0)).toISOString();
}

/** A bookmaker's column family: 1X2 columns are `${prefix}H/D/A`, totals `${totals}>2.5`. */
interface BookColumns {
  prefix: string;
  totals?: string;
  /** The book as a source label names it (lower case, no spaces). */
  book: string;
}

/** The bookmakers football-data.co.uk prints; Pinnacle's totals use the short `P` prefix. */
export const FOOTBALL_DATA_BOOKS: readonly BookColumns[] = [
  { prefix: "B365", totals: "B365", book: "bet365" },
  { prefix: "BW", book: "bwin" },
  { prefix: "IW", book: "interwetten" },
  { prefix: "PS", totals: "P", book: "pinnacle" },
  { prefix: "WH", book: "william-hill" },
  { prefix: "VC", book: "bet-victor" },
  { prefix: "1XB", book: "1xbet" },
];

/** Aggregate columns, used only when no book priced the row. */
const AGGREGATES = ["Avg", "Max"] as const;

/**
 * Parses a football-data.co.uk fixtures CSV into raw rows. Throws when the header lacks the
 * columns every row needs (the file is not in this format); a broken row becomes a row with
 * missing fields, which validation rejects.
 */
export function parseFootballDataCsv(text: string): RawOddsRow[] {
  const [header, ...records] = parseCsv(text);
  const cols = new Map((header ?? []).map((name, i) => [name.trim(), i]));
  const missing = ["Div", "Date", "HomeTeam", "AwayTeam"].filter((c) => !cols.has(c));
  if (missing.length) {
    throw new Error(`Not a football-data CSV: missing column(s) ${missing.join(", ")}`);
  }
  const cell = (r: string[], name: string) => {
    const i = cols.get(name);
    const v = i === undefined ? undefined : r[i]?.trim();
    return v === "" ? undefined : v;
  };
  const first = (r: string[], names: readonly string[]) => {
    for (const n of names) {
      const v = cell(r, n);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  return records.flatMap((r) => {
    const date = cell(r, "Date");
    const match: RawOddsRow = {
      league: cell(r, "Div"),
      home: cell(r, "HomeTeam"),
      away: cell(r, "AwayTeam"),
      // An unreadable date stays visibly unreadable: `Date` would read 05/08 as May 8.
      kickoff: date === undefined
        ? undefined
        : (ukLocalToIso(date, cell(r, "Time") ?? "") ?? `unreadable ${date}`),
    };
    const books: RawOddsRow[] = [];
    for (const { prefix, totals, book } of FOOTBALL_DATA_BOOKS) {
      const x12 = ["H", "D", "A"].map((s) => cell(r, prefix + s));
      // A book with no cell in the row did not price it; one with a partial or unreadable cell
      // becomes its own row, which validation rejects without touching the other books.
      if (x12.every((v) => v === undefined)) continue;
      books.push({
        ...match,
        book,
        home_odds: x12[0],
        draw_odds: x12[1],
        away_odds: x12[2],
        over_2_5: totals === undefined ? undefined : cell(r, `${totals}>2.5`),
        under_2_5: totals === undefined ? undefined : cell(r, `${totals}<2.5`),
      });
    }
    if (books.length) return books;
    const agg = (suffix: string) => first(r, AGGREGATES.map((a) => a + suffix));
    return [{
      ...match,
      home_odds: agg("H"),
      draw_odds: agg("D"),
      away_odds: agg("A"),
      over_2_5: agg(">2.5"),
      under_2_5: agg("<2.5"),
    }];
  });
}
