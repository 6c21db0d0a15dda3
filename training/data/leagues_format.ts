/**
 * Rows of the shared `leagues/` files: `Date` as `YYYY-MM-DD HH:MM:SS`, `country`, `league`,
 * `Season`, teams, goals, and average opening/closing 1X2, totals 2.5 and BTTS prices.
 * @module
 */
import { leagueKey } from "../../server/domain/leagues.ts";
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

const REQUIRED = ["Date", "country", "league", "HomeTeam", "AwayTeam", "FTHG", "FTAG"];

/** Whether a header row is the shared `leagues/` format. */
export function isLeaguesHeader(header: readonly string[]): boolean {
  return REQUIRED.every((c) => header.includes(c));
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

const OPENING: MarketColumns = {
  x12: [["home_open", "draw_open", "away_open"]],
  totals25: [["over_2.5_open", "under_2.5_open"]],
  btts: [["bts_yes_open", "bts_no_open"]],
};
const CLOSING: MarketColumns = {
  x12: [["home_close", "draw_close", "away_close"]],
  totals25: [["over_2.5_close", "under_2.5_close"]],
  btts: [["bts_yes_close", "bts_no_close"]],
};

/**
 * One `leagues/` row as a match. Times are read as wall-clock times of `timeZone`: the files
 * list Premier League 20:00 UK kick-offs as 21:00, i.e. Central European time.
 * Throws `RowRejected` for an unusable row.
 */
export function leaguesRow(cells: Cells, timeZone: string): MatchRecord {
  const country = cells("country");
  const leagueName = cells("league");
  if (country === "" || leagueName === "") throw new RowRejected("bad_league");
  const league = leagueKey(country, leagueName);
  const m = DATE.exec(cells("Date"));
  if (!m) throw new RowRejected("bad_date");
  const local = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 12),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
  if (!isValidLocal(local)) throw new RowRejected("bad_date");
  const home = team(league, cells("HomeTeam"));
  const away = team(league, cells("AwayTeam"));
  const homeGoals = goals(cells("FTHG"));
  const awayGoals = goals(cells("FTAG"));
  const season = /^\d{4}-\d{4}$/.test(cells("Season"))
    ? cells("Season")
    : seasonOf(local.year, local.month);
  const opening = marketPrices(cells, OPENING);
  const closing = marketPrices(cells, CLOSING);
  return {
    id: matchId(league, `${m[1]}-${m[2]}-${m[3]}`, home, away),
    league,
    season,
    kickoff: localToUtc(local, timeZone),
    home,
    away,
    homeGoals,
    awayGoals,
    opening,
    closing,
  };
}
