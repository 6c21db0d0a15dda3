/**
 * Rows of football-data.co.uk files (`E0-2022-23.csv`): `Div`, `Date` as dd/mm/yyyy or dd/mm/yy,
 * `Time`, teams, goals, and per-bookmaker prices. Pinnacle is preferred, then the market
 * average, then Bet365. The format has no BTTS prices.
 * @module
 */
import type { MatchRecord } from "../../server/domain/types.ts";
import { isValidLocal, localToUtc } from "./local_time.ts";
import {
  type Cells,
  goals,
  type MarketColumns,
  marketPrices,
  matchId,
  RowRejected,
  seasonOf,
  team,
} from "./row_values.ts";

/** football-data.co.uk division codes of the leagues SabiScore knows. */
export const DIVISIONS: Readonly<Record<string, string>> = {
  E0: "england-premier-league",
  SP1: "spain-laliga",
  D1: "germany-bundesliga",
  I1: "italy-serie-a",
  F1: "france-ligue-1",
  N1: "netherlands-eredivisie",
  B1: "belgium-jupiler-pro-league",
};

/** League key of a division code; unknown codes become `fd-<code>`. */
export function divisionLeague(div: string): string {
  return DIVISIONS[div.toUpperCase()] ?? `fd-${div.toLowerCase()}`;
}

const REQUIRED = ["Div", "Date", "HomeTeam", "AwayTeam", "FTHG", "FTAG"];

/** Whether a header row is the football-data.co.uk format. */
export function isFootballDataHeader(header: readonly string[]): boolean {
  return REQUIRED.every((c) => header.includes(c));
}

const DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/;
const TIME = /^(\d{1,2}):(\d{2})$/;

const OPENING: MarketColumns = {
  x12: [["PSH", "PSD", "PSA"], ["AvgH", "AvgD", "AvgA"], ["B365H", "B365D", "B365A"]],
  totals25: [["P>2.5", "P<2.5"], ["Avg>2.5", "Avg<2.5"], ["B365>2.5", "B365<2.5"]],
};
const CLOSING: MarketColumns = {
  x12: [["PSCH", "PSCD", "PSCA"], ["AvgCH", "AvgCD", "AvgCA"], ["B365CH", "B365CD", "B365CA"]],
  totals25: [["PC>2.5", "PC<2.5"], ["AvgC>2.5", "AvgC<2.5"], ["B365C>2.5", "B365C<2.5"]],
};

/**
 * One football-data.co.uk row as a match. Times are UK wall-clock times (`timeZone`); a row
 * without `Time` is placed at 12:00 so its calendar date survives the conversion to UTC.
 * Throws `RowRejected` for an unusable row.
 */
export function footballDataRow(cells: Cells, timeZone: string): MatchRecord {
  const div = cells("Div");
  if (div === "") throw new RowRejected("bad_league");
  const league = divisionLeague(div);
  const d = DATE.exec(cells("Date"));
  const timeCell = cells("Time");
  const t = timeCell === "" ? ["", "12", "00"] : TIME.exec(timeCell);
  if (!d || !t) throw new RowRejected("bad_date");
  const shortYear = Number(d[3]);
  const year = d[3].length === 4
    ? shortYear
    : shortYear >= 70
    ? 1900 + shortYear
    : 2000 + shortYear;
  const local = {
    year,
    month: Number(d[2]),
    day: Number(d[1]),
    hour: Number(t[1]),
    minute: Number(t[2]),
    second: 0,
  };
  if (!isValidLocal(local)) throw new RowRejected("bad_date");
  const home = team(league, cells("HomeTeam"));
  const away = team(league, cells("AwayTeam"));
  const homeGoals = goals(cells("FTHG"));
  const awayGoals = goals(cells("FTAG"));
  const opening = marketPrices(cells, OPENING);
  const closing = marketPrices(cells, CLOSING);
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    id: matchId(league, `${year}-${pad(local.month)}-${pad(local.day)}`, home, away),
    league,
    season: seasonOf(year, local.month),
    kickoff: localToUtc(local, timeZone),
    home,
    away,
    homeGoals,
    awayGoals,
    opening,
    closing,
  };
}
