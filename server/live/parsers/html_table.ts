/**
 * Reads an HTML odds table with cheerio using configurable selectors (see `HtmlSelectors`).
 * Garbage in gives no rows or rows with missing fields, which validation then rejects.
 * @module
 */
import * as cheerio from "cheerio";
import { DEFAULT_HTML_SELECTORS, type HtmlSelectors } from "../sources.ts";
import type { RawOddsRow } from "../validate.ts";

// deno-lint-ignore no-explicit-any
type Selection = cheerio.Cheerio<any>;

function read(row: Selection, selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  const at = selector.lastIndexOf("@");
  const css = (at >= 0 ? selector.slice(0, at) : selector).trim();
  const target = css ? row.find(css).first() : row;
  if (target.length === 0) return undefined;
  const value = at >= 0 ? target.attr(selector.slice(at + 1).trim()) : target.text();
  return value === undefined ? undefined : value.trim();
}

/** Parses an HTML odds board into raw rows, one per element matching `selectors.row`. */
export function parseHtmlTable(html: string, selectors: Partial<HtmlSelectors> = {}): RawOddsRow[] {
  const s: HtmlSelectors = { ...DEFAULT_HTML_SELECTORS, ...selectors };
  const $ = cheerio.load(html);
  const rows: RawOddsRow[] = [];
  $(s.row).each((_, el) => {
    const row = $(el);
    rows.push({
      league: read(row, s.league),
      home: read(row, s.home),
      away: read(row, s.away),
      kickoff: read(row, s.kickoff),
      home_odds: read(row, s.home_odds),
      draw_odds: read(row, s.draw_odds),
      away_odds: read(row, s.away_odds),
      over_2_5: read(row, s.over_2_5),
      under_2_5: read(row, s.under_2_5),
      btts_yes: read(row, s.btts_yes),
      btts_no: read(row, s.btts_no),
    });
  });
  return rows;
}
