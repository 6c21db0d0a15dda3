/**
 * Reads football-data.co.uk `fixtures.csv`: `Div,Date,Time,HomeTeam,AwayTeam,...` with prices
 * per bookmaker. 1X2 comes from the market average (`AvgH/AvgD/AvgA`), else Bet365, Pinnacle or
 * the maximum; totals from `Avg>2.5` / `Avg<2.5` likewise. Dates are `dd/mm/yyyy` (or `yy`) and
 * times are UK local time, converted to UTC.
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

const PRICE_COLUMNS = {
  home_odds: ["AvgH", "B365H", "PSH", "MaxH"],
  draw_odds: ["AvgD", "B365D", "PSD", "MaxD"],
  away_odds: ["AvgA", "B365A", "PSA", "MaxA"],
  over_2_5: ["Avg>2.5", "B365>2.5", "P>2.5", "Max>2.5"],
  under_2_5: ["Avg<2.5", "B365<2.5", "P<2.5", "Max<2.5"],
} as const;

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
  return records.map((r) => {
    const date = cell(r, "Date");
    return {
      league: cell(r, "Div"),
      home: cell(r, "HomeTeam"),
      away: cell(r, "AwayTeam"),
      // An unreadable date stays visibly unreadable: `Date` would read 05/08 as May 8.
      kickoff: date === undefined
        ? undefined
        : (ukLocalToIso(date, cell(r, "Time") ?? "") ?? `unreadable ${date}`),
      home_odds: first(r, PRICE_COLUMNS.home_odds),
      draw_odds: first(r, PRICE_COLUMNS.draw_odds),
      away_odds: first(r, PRICE_COLUMNS.away_odds),
      over_2_5: first(r, PRICE_COLUMNS.over_2_5),
      under_2_5: first(r, PRICE_COLUMNS.under_2_5),
    };
  });
}
