/**
 * The demo market's odds board page: one HTML table per book, in the layout the default HTML
 * selectors of `sources.ts` read.
 * @module
 */
import { findLeague } from "../domain/leagues.ts";
import type { MatchOdds } from "../domain/live_protocol.ts";

/** A fixture on the demo board, with the prices of one book. */
export interface DemoFixture {
  /** The board's own id (`demo-<n>`), used by {@link DemoBookmaker.setPrice}. */
  id: string;
  league: string;
  home_team: string;
  away_team: string;
  kickoff: string;
  odds: MatchOdds;
}

/** Text safe inside HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders the odds board of one book, read by the default HTML selectors. */
export function renderOddsBoard(fixtures: DemoFixture[], updatedAt: Date, book = "demo"): string {
  const f = (x: number | undefined) => (x === undefined ? "" : x.toFixed(2));
  const rows = fixtures.map((m) => {
    const league = findLeague(m.league)?.name ?? m.league;
    return `<tr class="match" data-match-id="${escapeHtml(m.id)}" data-league="${
      escapeHtml(m.league)
    }">` +
      `<td class="league">${escapeHtml(league)}</td>` +
      `<td class="kickoff"><time datetime="${m.kickoff}">${
        m.kickoff.slice(0, 16).replace("T", " ")
      } UTC</time></td>` +
      `<td class="home">${escapeHtml(m.home_team)}</td><td class="away">${
        escapeHtml(m.away_team)
      }</td>` +
      `<td class="price-home">${f(m.odds.x12.home)}</td><td class="price-draw">${
        f(m.odds.x12.draw)
      }</td>` +
      `<td class="price-away">${f(m.odds.x12.away)}</td><td class="price-over">${
        f(m.odds.over_2_5)
      }</td>` +
      `<td class="price-under">${f(m.odds.under_2_5)}</td><td class="price-btts-yes">${
        f(m.odds.btts_yes)
      }</td>` +
      `<td class="price-btts-no">${f(m.odds.btts_no)}</td></tr>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SabiScore demo bookmaker ${
    escapeHtml(book)
  }</title></head>
<body>
<h1>Demo bookmaker <span class="book">${escapeHtml(book)}</span></h1>
<p class="disclaimer">Simulated prices for demonstration only. Updated ${updatedAt.toISOString()}.</p>
<table class="odds-board">
<thead><tr><th>League</th><th>Kick-off</th><th>Home</th><th>Away</th><th>1</th><th>X</th><th>2</th>` +
    `<th>Over 2.5</th><th>Under 2.5</th><th>BTTS yes</th><th>BTTS no</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body></html>
`;
}
