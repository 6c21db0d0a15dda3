/**
 * Parsing of the cells every match format shares: goals, decimal prices, reasons for rejecting.
 * @module
 */
import type { MarketPrices } from "../../server/domain/types.ts";
import { canonicalTeam } from "../../server/domain/team_aliases.ts";

/** Why a data row was skipped. */
export type RejectReason =
  | "malformed_line"
  | "bad_date"
  | "bad_goals"
  | "empty_team"
  | "bad_odds"
  | "bad_league"
  | "duplicate";

/** Thrown inside row parsers to skip a row; carries the reason counted in `rejected`. */
export class RowRejected extends Error {
  constructor(readonly reason: RejectReason) {
    super(`Row rejected: ${reason}`);
  }
}

/** Reads a cell by column name; absent columns read as "". */
export type Cells = (column: string) => string;

/** Goals as a non-negative integer, or a `bad_goals` rejection. */
export function goals(cell: string): number {
  if (!/^\d{1,2}$/.test(cell)) throw new RowRejected("bad_goals");
  return Number(cell);
}

/**
 * Decimal prices from the first group of columns whose cells are all filled: `undefined` when no
 * group is complete, `"bad"` when the chosen group holds a non-number or a price <= 1.
 */
export function prices(
  cells: Cells,
  groups: readonly (readonly string[])[],
): number[] | undefined | "bad" {
  for (const group of groups) {
    const values = group.map(cells);
    if (values.some((v) => v === "")) continue;
    const numbers = values.map(Number);
    return numbers.every((n) => Number.isFinite(n) && n > 1) ? numbers : "bad";
  }
  return undefined;
}

/** The season label (`2022-2023`) of a date, with seasons starting in July. */
export function seasonOf(year: number, month: number): string {
  const start = month >= 7 ? year : year - 1;
  return `${start}-${start + 1}`;
}

/** Column names of one market snapshot; each part lists fallback groups, best first. */
export interface MarketColumns {
  x12: readonly (readonly string[])[];
  totals25?: readonly (readonly string[])[];
  btts?: readonly (readonly string[])[];
}

/**
 * The prices of one snapshot. Broken 1X2 prices reject the row (`bad_odds`); broken totals or
 * BTTS prices only drop that part, since models and evaluations rest on 1X2.
 */
export function marketPrices(cells: Cells, columns: MarketColumns): MarketPrices {
  const out: MarketPrices = {};
  const x12 = prices(cells, columns.x12);
  if (x12 === "bad") throw new RowRejected("bad_odds");
  if (x12) out.x12 = { home: x12[0], draw: x12[1], away: x12[2] };
  const totals = columns.totals25 && prices(cells, columns.totals25);
  if (Array.isArray(totals)) out.totals25 = { over: totals[0], under: totals[1] };
  const btts = columns.btts && prices(cells, columns.btts);
  if (Array.isArray(btts)) out.btts = { yes: btts[0], no: btts[1] };
  return out;
}

/** A team cell, canonicalised, or an `empty_team` rejection. */
export function team(league: string, cell: string): string {
  const name = canonicalTeam(league, cell);
  if (name === "") throw new RowRejected("empty_team");
  return name;
}

/** The stable match id of `MatchRecord`. */
export function matchId(league: string, localDate: string, home: string, away: string): string {
  return `${league}:${localDate}:${home}:${away}`;
}
