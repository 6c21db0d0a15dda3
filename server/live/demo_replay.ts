/**
 * Real market moves for the demo market: the average opening and closing prices of past matches
 * from the shared `leagues/` files (`home_open` .. `bts_no_close`), with the margin removed by
 * normalising. The demo replays them onto its own fixtures, so its prices move the way real ones
 * did between the first quote and kick-off.
 * @module
 */
import { findLeague } from "../domain/leagues.ts";
import { normalise } from "../domain/margins.ts";

/** Fair probabilities of one snapshot of a match's market, margin removed. */
export interface FairSnapshot {
  /** Home, draw, away. */
  x12: number[];
  /** Over, under 2.5 goals. */
  totals?: number[];
  /** Both teams score: yes, no. */
  btts?: number[];
}

/** One past match's move from its opening to its closing prices. */
export interface MarketMove {
  /** Where it was taken from (`league`, season, teams), for reports. */
  origin: string;
  open: FairSnapshot;
  close: FairSnapshot;
}

const COLUMNS = {
  x12: [["home_open", "draw_open", "away_open"], ["home_close", "draw_close", "away_close"]],
  totals: [["over_2.5_open", "under_2.5_open"], ["over_2.5_close", "under_2.5_close"]],
  btts: [["bts_yes_open", "bts_no_open"], ["bts_yes_close", "bts_no_close"]],
} as const;

type Market = keyof typeof COLUMNS;

/** Fair probabilities of the prices in `cells` at `columns`, or undefined unless all are > 1. */
function fairAt(cells: (column: string) => string, columns: readonly string[]) {
  const prices = columns.map((c) => Number(cells(c)));
  return prices.every((p) => Number.isFinite(p) && p > 1) ? normalise(prices) : undefined;
}

/**
 * The moves in the text of one `leagues/` CSV file: rows whose 1X2 opening and closing prices
 * are both given; totals and BTTS join when theirs are. The files hold no quoted fields.
 */
export function parseMoves(text: string, origin: string): MarketMove[] {
  const lines = text.split("\n");
  const header = lines[0].trim().split(",");
  const index = new Map(header.map((h, i) => [h, i]));
  const out: MarketMove[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "") continue;
    const row = line.split(",");
    const cells = (column: string) => row[index.get(column) ?? -1] ?? "";
    const open: Partial<FairSnapshot> = {};
    const close: Partial<FairSnapshot> = {};
    for (const market of Object.keys(COLUMNS) as Market[]) {
      const [o, c] = COLUMNS[market].map((cols) => fairAt(cells, cols));
      if (o && c) {
        open[market] = o;
        close[market] = c;
      }
    }
    if (!open.x12 || !close.x12) continue;
    out.push({
      origin: `${origin} ${cells("Season")} ${cells("HomeTeam")} v ${cells("AwayTeam")}`,
      open: open as FairSnapshot,
      close: close as FairSnapshot,
    });
  }
  return out;
}

/**
 * The moves of each league in `leagues`, read from `<dataDir>/leagues/<file>`. A league whose
 * file is missing or holds no usable row is left out of the map.
 */
export async function loadMarketMoves(
  dataDir: string,
  leagues: readonly string[],
): Promise<Map<string, MarketMove[]>> {
  const out = new Map<string, MarketMove[]>();
  for (const key of leagues) {
    const league = findLeague(key);
    if (!league) continue;
    let text: string;
    try {
      text = await Deno.readTextFile(`${dataDir}/leagues/${league.dataFile}`);
    } catch {
      continue;
    }
    const moves = parseMoves(text, league.key);
    if (moves.length) out.set(league.key, moves);
  }
  return out;
}
