/**
 * Browser tests: the full app with the demo bookmaker on a loopback port, driven by Debian
 * Chromium through playwright-core. They skip only when no browser is installed and `CI` is
 * unset; in CI a missing browser fails. Screenshots of every page at phone and desktop widths go
 * to a temporary folder, or to `docs/screenshots/` with `UPDATE_SCREENSHOTS=1` (so a test run does
 * not rewrite the committed pictures).
 * @module
 */
import assert from "node:assert/strict";
import axe from "axe-core";
import type { BrowserContext, Page } from "playwright-core";
import { startDemoApp } from "../testing/demo_app.ts";
import { launchChromium, skipBrowserTests } from "./test_browser.ts";

/** The predict form's API call (it asks for `?include=score_matrix`). */
const PREDICTIONS_URL = /\/api\/v1\/predictions(\?|$)/;

const UPDATE_SHOTS = Deno.env.get("UPDATE_SCREENSHOTS") === "1";
const FIXTURE_MODELS = new URL("./testdata/models", import.meta.url).pathname;
const PROJECT_MODELS = new URL("../../models", import.meta.url).pathname;

/** The project's model cards when trained, else the fixture card. */
function modelsDir(): string {
  try {
    for (const e of Deno.readDirSync(PROJECT_MODELS)) {
      if (e.isDirectory && Deno.statSync(`${PROJECT_MODELS}/${e.name}/model.json`).isFile) {
        return PROJECT_MODELS;
      }
    }
  } catch {
    // No models folder or no card in it.
  }
  return FIXTURE_MODELS;
}

const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

/** The board row of a match: the one whose title links to its match page. */
function boardRow(id: string): string {
  return `li.match:has(a.teams[href="/match/${encodeURIComponent(id)}"])`;
}

/** Console errors and page errors seen by a page, minus the ones a step expects. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

async function screenshots(
  dir: string,
  context: BrowserContext,
  url: string,
  name: string,
  ready: string,
  act?: (page: Page) => Promise<void>,
) {
  for (const [label, viewport] of Object.entries(VIEWPORTS)) {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.setViewportSize(viewport);
    await page.goto(url);
    await page.locator(ready).first().waitFor();
    await act?.(page);
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: `${dir}/${name}-${label}.png`, fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `${name} (${label}) overflows: ${width}px wide`);
    assert.deepEqual(describeViolations(await axeRun(page)), [], `axe on ${name} (${label})`);
    assert.deepEqual(errors, [], `console errors on ${name} (${label})`);
    await page.close();
  }
}

/** The WCAG 2.2 A and AA rules axe checks, target size among them. */
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

interface AxeResults {
  violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[];
  passes: { id: string }[];
  inapplicable: { id: string }[];
}

/** Runs axe-core on the page (evaluated through the protocol, so the CSP does not block it). */
async function axeRun(page: Page): Promise<AxeResults> {
  await page.evaluate(axe.source);
  return await page.evaluate(
    (tags) =>
      (globalThis as unknown as { axe: { run(c: Document, o: unknown): Promise<AxeResults> } })
        .axe.run(document, { runOnly: { type: "tag", values: tags } }),
    WCAG_TAGS,
  );
}

/** The violations as `rule: selector (why)` lines, for assertion messages. */
function describeViolations(results: AxeResults): string[] {
  return results.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} (${n.failureSummary ?? ""})`)
  );
}

/** Fills and submits the predict form (the page must show the team selects). */
async function predictArsenalChelsea(page: Page) {
  await page.locator('select[name="home"]').selectOption("Arsenal");
  await page.locator('select[name="away"]').selectOption("Chelsea");
  await page.locator('input[name="odds-home"]').fill("2.10");
  await page.locator('input[name="odds-draw"]').fill("3.40");
  await page.locator('input[name="odds-away"]').fill("3.60");
  await page.getByRole("button", { name: "Predict" }).click();
  await page.locator('[data-testid="prediction"]').waitFor();
}

/** Screenshots of every page of the app at `url` (the match page of `matchId`). */
async function pageShots(shots: string, context: BrowserContext, url: string, matchId: string) {
  await screenshots(shots, context, `${url}/`, "board", '[data-status="live"]');
  await screenshots(
    shots,
    context,
    `${url}/match/${encodeURIComponent(matchId)}`,
    "match",
    'svg[data-chart="heatmap"]',
  );
  await screenshots(
    shots,
    context,
    `${url}/value-bets`,
    "value-bets",
    '[data-status="live"]',
  );
  await screenshots(
    shots,
    context,
    `${url}/predict?league=england-premier-league`,
    "predict",
    'select[name="home"]',
    predictArsenalChelsea,
  );
  await screenshots(shots, context, `${url}/model`, "model", "main h1");
}

Deno.test({
  name: "pages: work in Chromium against the full app",
  ignore: skipBrowserTests,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const app = await startDemoApp({ modelsDir: modelsDir() });
    const shots = UPDATE_SHOTS
      ? new URL("../../docs/screenshots", import.meta.url).pathname
      : await Deno.makeTempDir({ prefix: "sabiscore-shots-" });
    const browser = await launchChromium(VIEWPORTS.desktop);
    const context = browser.context;
    try {
      const upcoming = await (await fetch(`${app.url}/api/v1/matches/upcoming`)).json() as {
        matches: {
          id: string;
          home_team: string;
          away_team: string;
          odds: { x12: { home: number } };
        }[];
      };
      assert.ok(upcoming.matches.length > 0, "the demo bookmaker lists matches");
      const first = upcoming.matches[0];

      await t.step("the board renders matches and goes live", async () => {
        const page = await context.newPage();
        const errors = watchErrors(page);
        await page.goto(`${app.url}/`);
        assert.ok(await page.locator("li.match").count() >= upcoming.matches.length);
        await page.locator('[data-status="live"]').waitFor();
        assert.match(await page.locator("h1").innerText(), /Live board/);
        assert.deepEqual(errors, []);
        await page.close();
      });

      await t.step("a price change pushed by the server appears without reload", async () => {
        const page = await context.newPage();
        const errors = watchErrors(page);
        await page.goto(`${app.url}/`);
        await page.locator('[data-status="live"]').waitFor();
        await page.evaluate(() => ((globalThis as { __noReload?: boolean }).__noReload = true));
        const fixture = app.demo.fixtures().find((f) =>
          f.home_team === first.home_team && f.away_team === first.away_team
        );
        assert.ok(fixture, "the first match is on the demo board");
        const next = Math.round((fixture.odds.x12.home + 0.37) * 100) / 100;
        app.demo.setPrice(fixture.id, { x12: { home: next } });
        await app.scrape();
        const price = page.locator(`${boardRow(first.id)} [data-side="home"] b`);
        await page.waitForFunction(
          ([sel, want]) => document.querySelector(sel)?.textContent === want,
          [`${boardRow(first.id)} [data-side="home"] b`, next.toFixed(2)] as const,
        );
        assert.equal(await price.innerText(), next.toFixed(2));
        const cls = await page.locator(`${boardRow(first.id)} [data-side="home"]`)
          .getAttribute("class");
        assert.match(cls ?? "", /moved-up/);
        assert.equal(
          await page.evaluate(() => (globalThis as { __noReload?: boolean }).__noReload),
          true,
        );
        assert.deepEqual(errors, []);
        await page.close();
      });

      await t.step("the predict form returns a prediction", async () => {
        const page = await context.newPage();
        const errors = watchErrors(page);
        await page.goto(`${app.url}/predict?league=england-premier-league`);
        const home = page.locator('select[name="home"]');
        await home.waitFor();
        await predictArsenalChelsea(page);
        assert.match(await page.locator(".result-title").innerText(), /Arsenal v Chelsea/);
        assert.equal(await page.locator('svg[data-chart="heatmap"]').count(), 1);
        assert.deepEqual(errors, []);
        await page.close();
      });

      await t.step("the match page shows the heat-map and the odds chart", async () => {
        const page = await context.newPage();
        const errors = watchErrors(page);
        const res = await page.goto(`${app.url}/match/${encodeURIComponent(first.id)}`);
        assert.equal(res?.status(), 200);
        await page.locator('svg[data-chart="heatmap"]').waitFor();
        await page.locator('svg[data-chart="odds-movement"] polyline').first().waitFor();
        assert.equal(await page.locator('svg[data-chart="odds-movement"] polyline').count(), 3);
        assert.equal(await page.locator("script").count(), 0, "the match page ships no script");
        assert.deepEqual(errors, []);
        await page.close();
      });

      await t.step(
        "prices per bookmaker, the best marked, and value bets naming book and forecast at 390 px",
        async () => {
          const fixture = app.demo.fixtures().find((f) =>
            f.home_team === first.home_team && f.away_team === first.away_team
          )!;
          // The soft book alone has the best home price, every book the same draw price and the
          // sharp book the best away price.
          const prices: Record<string, { home: number; draw: number; away: number }> = {
            "demo-sharp": { home: 2.0, draw: 3.4, away: 3.8 },
            "demo-slow-a": { home: 2.05, draw: 3.4, away: 3.5 },
            "demo-slow-b": { home: 2.02, draw: 3.4, away: 3.5 },
            "demo-soft": { home: 2.6, draw: 3.4, away: 3.5 },
          };
          for (const [book, x12] of Object.entries(prices)) {
            app.demo.setPrice(fixture.id, { x12 }, book);
          }
          await app.scrape();
          const names = Object.keys(prices);
          const fits = async (page: Page, what: string) => {
            const width = await page.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(width <= VIEWPORTS.phone.width, `${what} overflows: ${width}px wide`);
            assert.deepEqual(describeViolations(await axeRun(page)), [], `axe on ${what}`);
          };

          const page = await context.newPage();
          const errors = watchErrors(page);
          await page.setViewportSize(VIEWPORTS.phone);
          await page.goto(`${app.url}/`);
          await page.locator('[data-status="live"]').waitFor();
          const row = page.locator(boardRow(first.id));
          assert.equal(await row.locator('[data-side="home"] b').innerText(), "2.60");
          assert.match(await row.locator('[data-side="home"] small').innerText(), /demo-soft$/);
          assert.match(await row.locator('[data-side="draw"] small').innerText(), /\+3$/);
          assert.match(await row.locator('[data-side="away"] small').innerText(), /demo-sharp$/);
          const badges = await row.locator(".badge-value").allInnerTexts();
          assert.ok(badges.length > 0, "the soft home price is a value bet");
          for (const b of badges) {
            assert.match(b, /\d\.\d\d at demo-\S+ [+-]\d+\.\d% vs (fair price|model) \d/);
          }
          assert.ok(badges.some((b) => /^★ Home win 2\.60 at demo-soft /.test(b)), badges.join());
          assert.equal(await row.locator("table").count(), 0, "the board carries no book table");
          await fits(page, "the board");

          // Every book's prices are one click away, on the match page the row's title opens.
          assert.match(await page.locator(".page-head").innerText(), /every bookmaker's prices/);
          await row.locator("a.teams").click();
          const card = page.locator('[data-testid="book-prices"]');
          await card.waitFor();
          const table = card.locator('table[data-market="1x2"]');
          assert.deepEqual(
            (await table.locator("tbody tr").evaluateAll((rows) =>
              rows.map((r) => r.getAttribute("data-book"))
            )).sort(),
            [...names].sort(),
            "one row per book",
          );
          const bestOf = (field: string) =>
            table.locator(`td.best[data-field="${field}"]`).evaluateAll((cells) =>
              cells.map((c) => [c.closest("tr")!.getAttribute("data-book"), c.textContent])
            );
          assert.deepEqual(await bestOf("home"), [["demo-soft", "✓2.60(best price)"]]);
          assert.equal((await bestOf("draw")).length, 4, "a tie marks every book");
          assert.deepEqual(await bestOf("away"), [["demo-sharp", "✓3.80(best price)"]]);
          assert.equal(await page.getByRole("columnheader", { name: "Best offered" }).count(), 1);
          const valueBooks = await page.locator('[data-testid="value-book"]').allInnerTexts();
          assert.ok(
            valueBooks.length > 0 && valueBooks.every((b) => /^(at\s+)?demo-/.test(b.trim())),
            `value bets name their book: ${JSON.stringify(valueBooks)}`,
          );
          await fits(page, "the match page");

          await page.goto(`${app.url}/value-bets`);
          await page.locator('[data-status="live"]').waitFor();
          const home = page.locator(`li[data-alert="${first.id}|1x2|home"]`);
          const more = page.locator("button.more");
          while (await home.count() === 0 && await more.count() > 0) await more.click();
          await home.waitFor();
          assert.match(await home.locator('[data-testid="alert-book"]').innerText(), /demo-soft/);
          assert.match(
            await home.locator('[data-testid="alert-forecast"]').innerText(),
            /^(fair price|model), fair \d+\.\d\d$/,
          );
          await fits(page, "the value-bet feed");
          assert.deepEqual(errors, []);
          await page.close();
        },
      );

      await t.step("/docs renders code spans and passes axe's WCAG 2.2 AA rules", async () => {
        for (const viewport of Object.values(VIEWPORTS)) {
          const page = await context.newPage();
          const errors = watchErrors(page);
          await page.setViewportSize(viewport);
          await page.goto(`${app.url}/docs`);
          await page.locator("#try-form").waitFor();
          const prose = await page.evaluate(() => {
            const copy = document.body.cloneNode(true) as HTMLElement;
            copy.querySelectorAll("pre, code").forEach((e) => e.remove());
            return copy.textContent ?? "";
          });
          assert.doesNotMatch(prose, /`/, "no literal Markdown backtick outside code");
          assert.ok(await page.locator("header p code").count() > 0, "code spans render as <code>");
          const results = await axeRun(page);
          assert.ok(
            results.passes.some((r) => r.id === "target-size"),
            "axe checked target-size and it passed",
          );
          assert.deepEqual(describeViolations(results), [], `axe on /docs at ${viewport.width} px`);
          assert.deepEqual(errors, []);
          await page.close();
        }
      });

      await t.step("on a 390 px phone the value-bet table fits its card", async () => {
        // Prices far above fair make every selection a value bet with a three-digit edge: the
        // widest table the page can show.
        const fixture = app.demo.fixtures().find((f) =>
          f.home_team === first.home_team && f.away_team === first.away_team
        )!;
        const p = 9;
        app.demo.setPrice(fixture.id, {
          x12: { home: p, draw: p, away: p },
          over_2_5: p,
          under_2_5: p,
          btts_yes: p,
          btts_no: p,
        });
        await app.scrape();
        const page = await context.newPage();
        const errors = watchErrors(page);
        await page.setViewportSize(VIEWPORTS.phone);
        await page.goto(`${app.url}/match/${encodeURIComponent(first.id)}`);
        const table = page.locator("table.value-table");
        await table.waitFor();
        assert.equal(await table.locator("tbody tr").count(), 7, "seven value bets");
        const fit = await page.evaluate(() => {
          const table = document.querySelector("table.value-table")!;
          const card = table.closest(".card")!;
          const kelly = table.querySelector("thead th:last-child")!;
          const style = getComputedStyle(card);
          const content = card.getBoundingClientRect().right - parseFloat(style.paddingRight) -
            parseFloat(style.borderRightWidth);
          return {
            kelly: kelly.textContent,
            kellyRight: kelly.getBoundingClientRect().right,
            content,
            cardScroll: card.scrollWidth,
            cardClient: card.clientWidth,
            tables: [...document.querySelectorAll(".card")].map((c) =>
              c.scrollWidth - c.clientWidth
            ),
          };
        });
        assert.match(fit.kelly ?? "", /Kelly/);
        assert.ok(
          fit.kellyRight <= fit.content + 0.5,
          `the Kelly column ends at ${fit.kellyRight}px, inside the card's ${fit.content}px`,
        );
        assert.equal(fit.cardScroll, fit.cardClient, "the card does not scroll sideways");
        assert.deepEqual(
          fit.tables.filter((d) => d > 0),
          [],
          "no card on the page scrolls sideways",
        );
        assert.deepEqual(describeViolations(await axeRun(page)), [], "axe on the match page");
        assert.deepEqual(errors, []);
        await page.close();
      });

      await t.step(
        "a forced API failure shows the friendly error and recovers on retry",
        async () => {
          const page = await context.newPage();
          const errors = watchErrors(page);
          let failures = 0;
          await page.route(PREDICTIONS_URL, (route) => {
            failures++;
            return route.fulfill({
              status: 503,
              contentType: "application/json",
              body: JSON.stringify({ error: { code: "service_unavailable", message: "Down" } }),
            });
          });
          await page.goto(`${app.url}/predict?league=spain-laliga`);
          await page.locator('select[name="home"]').waitFor();
          await page.getByRole("button", { name: "Predict" }).click();
          const alert = page.locator('.error-notice[data-error-kind="server"]');
          await alert.waitFor({ timeout: 15_000 });
          assert.match(await alert.innerText(), /Something went wrong on our side/);
          assert.equal(failures, 4, "one attempt and three retries");
          await page.unroute(PREDICTIONS_URL);
          await alert.getByRole("button", { name: "Try again" }).click();
          await page.locator('[data-testid="prediction"]').waitFor();
          assert.equal(await page.locator(".error-notice").count(), 0);
          // The only console errors are the browser's own notes about the four 503 responses.
          assert.deepEqual(errors.filter((e) => !/status of 503/.test(e)), []);
          await page.close();
        },
      );

      await t.step(
        "/model shows each card's figures beside the market's, and its diagram",
        async () => {
          const dir = modelsDir();
          const leagues = [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name)
            .filter((l) => {
              try {
                return Deno.statSync(`${dir}/${l}/model.json`).isFile;
              } catch {
                return false;
              }
            });
          const page = await context.newPage();
          const errors = watchErrors(page);
          await page.setViewportSize(VIEWPORTS.desktop);
          await page.goto(`${app.url}/model`);
          await page.locator("main h1").waitFor();
          assert.equal(await page.getByText("This card has no reliability data").count(), 0);
          let checked = 0;
          for (const league of leagues) {
            const card = JSON.parse(Deno.readTextFileSync(`${dir}/${league}/model.json`));
            const section = page.locator(`section[aria-labelledby="card-${league}"]`);
            const cell = async (metric: string, field: string) =>
              Number(
                await section.locator(`tr[data-metric="${metric}"] td[data-field="${field}"]`)
                  .innerText(),
              );
            const near = (got: number, want: number, what: string) =>
              assert.ok(
                Math.abs(got - want) < 5e-5,
                `${league} ${what}: page ${got}, card ${want}`,
              );
            const m = card.metrics;
            if (m.variants) {
              near(await cell("RPS, blend model", "model"), m.variants.blend.rps, "blend RPS");
              near(await cell("RPS, blend model", "market"), m.market_open.rps, "opening RPS");
              near(await cell("RPS, blend model", "closing"), m.market_close.rps, "closing RPS");
              near(
                await cell("log loss, results-only model", "model"),
                m.variants.fundamental.log_loss,
                "results-only log loss",
              );
              checked++;
            }
            if (card.files?.["reliability.svg"]) {
              const img = section.locator("img.reliability-svg");
              await img.waitFor();
              const width = await img.evaluate((el) => {
                const image = el as HTMLImageElement;
                return image.decode().then(() => image.naturalWidth);
              });
              assert.ok(width > 0, `${league}: the reliability diagram loads`);
            }
          }
          if (dir === PROJECT_MODELS) assert.equal(checked, leagues.length, "every trained card");
          const shotDir = Deno.env.get("SCREENSHOT_DIR");
          if (shotDir) {
            await page.evaluate(() => scrollTo(0, 0));
            await page.screenshot({ path: `${shotDir}/model.png`, fullPage: true });
          }
          assert.deepEqual(errors, []);
          await page.close();
        },
      );

      await t.step("screenshots of every page at phone and desktop widths", async () => {
        // From an app of its own: the steps above leave test prices on the board (every book of
        // the first match at 9.00), which the pictures in the docs should not show.
        const shown = await startDemoApp({ modelsDir: modelsDir() });
        try {
          const listed = await (await fetch(`${shown.url}/api/v1/matches/upcoming`)).json() as {
            matches: { id: string }[];
          };
          // Settle three matches so the performance chart has something to show.
          const alerts = shown.services.alerts!;
          await alerts.recordResult(listed.matches[0].id, { home_goals: 2, away_goals: 1 });
          await alerts.recordResult(listed.matches[1].id, { home_goals: 0, away_goals: 0 });
          await alerts.recordResult(listed.matches[2].id, { home_goals: 1, away_goals: 3 });
          await pageShots(shots, context, shown.url, listed.matches[0].id);
        } finally {
          await shown.close();
        }
      });
    } finally {
      await browser.close();
      await app.close();
      if (!UPDATE_SHOTS) await Deno.remove(shots, { recursive: true }).catch(() => {});
    }
  },
});
