import assert from "node:assert/strict";
import { validateRows } from "../validate.ts";
import { parseHtmlTable } from "./html_table.ts";

const PAGE = `<html><body><table id="odds"><tbody>
<tr data-league="E0"><td class="t">2026-12-01T20:00:00Z</td><td class="h">Arsenal</td><td class="a">Chelsea</td>
  <td class="o">2.10</td><td class="o">3.40</td><td class="o">3.60</td></tr>
<tr data-league="E0"><td class="t">2026-12-02T20:00:00Z</td><td class="h">Liverpool</td><td class="a"></td>
  <td class="o">1.50</td><td class="o">4.40</td><td class="o">6.00</td></tr>
<tr data-league="E0"><td class="t">soon</td><td class="h">Everton</td><td class="a">Fulham</td>
  <td class="o">2</td><td class="o">3</td><td class="o">4</td></tr>
<tr data-league="E0"><td class="t">2026-12-03T20:00:00Z</td><td class="h">Wolves</td><td class="a">Leeds</td>
  <td class="o">n/a</td><td class="o">3</td><td class="o">4</td></tr>
</tbody></table></body></html>`;

const SELECTORS = {
  row: "#odds tbody tr",
  league: "@data-league",
  kickoff: "td.t",
  home: "td.h",
  away: "td.a",
  home_odds: "td.o:nth-of-type(4)",
  draw_odds: "td.o:nth-of-type(5)",
  away_odds: "td.o:nth-of-type(6)",
  over_2_5: "td.none",
  under_2_5: "td.none",
  btts_yes: "td.none",
  btts_no: "td.none",
};

Deno.test("parseHtmlTable: reads rows with configurable selectors and attributes", () => {
  const rows = parseHtmlTable(PAGE, SELECTORS);
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[0], {
    league: "E0",
    kickoff: "2026-12-01T20:00:00Z",
    home: "Arsenal",
    away: "Chelsea",
    home_odds: "2.10",
    draw_odds: "3.40",
    away_odds: "3.60",
    over_2_5: undefined,
    under_2_5: undefined,
    btts_yes: undefined,
    btts_no: undefined,
  });
  const v = validateRows(rows, { source: "page" });
  assert.equal(v.matches.length, 1);
  assert.equal(v.matches[0].id, "england-premier-league:2026-12-01:arsenal:chelsea");
  assert.deepEqual(v.rejected.map((r) => r.reason), ["missing_team", "bad_kickoff", "bad_odds"]);
});

Deno.test("parseHtmlTable: garbage gives no rows instead of throwing", () => {
  for (const garbage of ["", "<<<>>>", "\u0000\u0001binary", "<table><tr><td>1</td></tr>", "{}"]) {
    assert.deepEqual(parseHtmlTable(garbage), []);
  }
});
