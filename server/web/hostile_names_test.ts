/**
 * Team names come from scraped bookmaker pages, so they are hostile input: markup in a name must
 * reach every page as text, in the HTML and in the islands' JSON props alike. The names take the
 * way scraped ones do (the HTML table parser, then validation) into the running demo app.
 * @module
 */
import assert from "node:assert/strict";
import { parseProps } from "../../islands/_client/props_codec.ts";
import { renderOddsBoard } from "../live/demo_bookmaker.ts";
import { parseHtmlTable } from "../live/parsers/html_table.ts";
import { validateRows } from "../live/validate.ts";
import { startDemoApp } from "../testing/demo_app.ts";
import { STATE_ELEMENT_ID } from "./render.ts";
import { launchChromium, skipBrowserTests } from "./test_browser.ts";

const HOME = `<img src=x onerror=alert(1)>`;
const AWAY = `</script><script>alert(2)</script>`;
const LEAGUE = "england-premier-league";

/** Scrapes a board listing the hostile fixture into the app's odds store; returns the match id. */
async function scrapeHostileMatch(app: Awaited<ReturnType<typeof startDemoApp>>) {
  const kickoff = new Date(Date.now() + 86_400_000).toISOString().slice(0, 13) + ":00:00.000Z";
  const board = renderOddsBoard([{
    id: "demo-hostile",
    league: LEAGUE,
    home_team: HOME,
    away_team: AWAY,
    kickoff,
    odds: { x12: { home: 2.5, draw: 3.3, away: 2.9 } },
  }], new Date());
  const { matches, rejected } = validateRows(parseHtmlTable(board), { source: "demo" });
  assert.deepEqual(rejected, []);
  assert.equal(matches[0].home_team, HOME, "the scraper hands the markup on as text");
  const live = app.services.live!;
  await live.store.put(matches[0], new Date());
  const m = matches[0];
  await app.services.alerts!.handle({
    event_id: 1_000_000,
    topics: [`match:${m.id}`, `league:${LEAGUE}`, "value-bets"],
    event: {
      type: "value_bet",
      bet: {
        action: "open",
        match_id: m.id,
        league: LEAGUE,
        home_team: HOME,
        away_team: AWAY,
        kickoff,
        market: "1x2",
        selection: "home",
        odds: 2.5,
        bookmaker: "demo",
        books: 1,
        probability: 0.5,
        edge: 0.25,
        forecast: "fair",
        fair_odds: 2,
        kelly_fraction: 0.05,
        expected_clv: null,
        expected_clv_ci95: null,
      },
    },
    json: "{}",
    published_at: Date.now(),
  });
  return m.id;
}

/** The decoded props of a page's islands, or [] for a page without islands. */
function islandProps(html: string): unknown {
  const open = `<script type="application/json" id="${STATE_ELEMENT_ID}">`;
  const at = html.indexOf(open);
  if (at === -1) return [];
  const text = html.slice(at + open.length, html.indexOf("</script>", at));
  const state = JSON.parse(text) as { props: unknown };
  return parseProps(JSON.stringify(state.props));
}

function pages(id: string): string[] {
  return ["/", `/match/${encodeURIComponent(id)}`, "/value-bets"];
}

Deno.test({
  name: "pages: team names with markup are escaped in the HTML and in island props",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const app = await startDemoApp();
    try {
      const id = await scrapeHostileMatch(app);
      for (const path of pages(id)) {
        const res = await fetch(`${app.url}${path}`, { headers: { accept: "text/html" } });
        assert.equal(res.status, 200, path);
        const html = await res.text();
        assert.ok(!html.includes("<img src=x"), `${path}: the img markup is escaped`);
        assert.ok(!html.includes("<script>alert"), `${path}: the script markup is escaped`);
        assert.match(html, /&lt;img src=x onerror=alert\(1\)(&gt;|>)/, `${path}: shown as text`);
        // The state block ends at its own </script>: the name inside it is \u003c-escaped, so
        // the JSON parses whole and the names come back exactly.
        const props = JSON.stringify(islandProps(html));
        if (path !== pages(id)[1]) {
          assert.ok(props.includes(JSON.stringify(HOME)), `${path}: props carry the home name`);
          assert.ok(props.includes(JSON.stringify(AWAY)), `${path}: props carry the away name`);
        }
      }
    } finally {
      await app.close();
    }
  },
});

Deno.test({
  name: "pages: in Chromium team names with markup show as text and add no element",
  ignore: skipBrowserTests,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const app = await startDemoApp();
    const browser = await launchChromium({ width: 1280, height: 800 });
    try {
      const id = await scrapeHostileMatch(app);
      for (const path of pages(id)) {
        const page = await browser.context.newPage();
        await page.goto(`${app.url}${path}`);
        // Islands hydrate from their props: wait until the live ones are connected.
        if (path !== pages(id)[1]) await page.locator('[data-status="live"]').first().waitFor();
        const seen = await page.evaluate(() => ({
          imgs: document.querySelectorAll('img[src="x"]').length,
          // The islands' JSON block holds the names as data; only a script that runs counts.
          scripts: [...document.scripts].filter((s) =>
            s.type !== "application/json" && /alert/.test(s.textContent ?? "")
          ).length,
          text: document.body.innerText,
        }));
        assert.equal(seen.imgs, 0, `${path}: no img element from a name`);
        assert.equal(seen.scripts, 0, `${path}: no script element from a name`);
        assert.ok(seen.text.includes(HOME), `${path}: the home name shows as text`);
        assert.ok(seen.text.includes("</script><script>"), `${path}: the away name shows as text`);
        await page.close();
      }
    } finally {
      await browser.close();
      await app.close();
    }
  },
});
