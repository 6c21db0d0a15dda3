import assert from "node:assert/strict";
import { DEMO_TEAMS } from "./demo_teams.ts";
import { normalise } from "../domain/margins.ts";
import { marketPrices, startDemoBookmaker } from "./demo_bookmaker.ts";
import { parseHtmlTable } from "./parsers/html_table.ts";
import { validateRows } from "./validate.ts";

const T0 = new Date("2026-12-01T12:00:00Z");

Deno.test("marketPrices: prices carry the margin over fair probabilities", () => {
  const o = marketPrices(1.5, 1.1, 0.05);
  const overround = 1 / o.x12.home + 1 / o.x12.draw + 1 / o.x12.away;
  assert.ok(Math.abs(overround - 1.05) < 0.01, `overround ${overround}`);
  assert.ok(o.x12.home < o.x12.away, "the stronger-scoring home side is the favourite");
  assert.ok(Math.abs(1 / o.over_2_5! + 1 / o.under_2_5! - 1.05) < 0.01);
  assert.ok(Math.abs(1 / o.btts_yes! + 1 / o.btts_no! - 1.05) < 0.01);
});

Deno.test("demoBookmaker: serves an HTML board that the cheerio parser reads", async () => {
  const demo = await startDemoBookmaker({
    leagues: ["england-premier-league", "spain-laliga"],
    modelsDir: "/nonexistent",
    tickMs: 0,
    now: () => T0,
  });
  try {
    const res = await fetch(demo.bookUrl("demo-sharp"));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    const html = await res.text();
    assert.match(html, /Simulated prices/);
    const v = validateRows(parseHtmlTable(html), { source: "demo" });
    assert.equal(v.rejected.length, 0);
    const fixtures = demo.fixtures();
    assert.equal(fixtures.length, 6);
    assert.deepEqual(
      v.matches.map((m) => [m.league, m.home_team, m.away_team, m.kickoff, m.odds]),
      fixtures.map((f) => [f.league, f.home_team, f.away_team, f.kickoff, f.odds]),
    );
    for (const f of fixtures) {
      assert.ok(DEMO_TEAMS[f.league].includes(f.home_team), f.home_team);
      assert.ok(DEMO_TEAMS[f.league].includes(f.away_team), f.away_team);
      assert.ok(f.home_team !== f.away_team);
      assert.ok(f.kickoff > T0.toISOString());
    }
    const missing = await fetch(new URL("/nope", demo.url));
    await missing.body?.cancel();
    assert.equal(missing.status, 404);
  } finally {
    await demo.close();
  }
});

Deno.test("demoBookmaker: seeded, drifts on tick, setPrice pins a price", async () => {
  let now = T0;
  const options = {
    leagues: ["england-premier-league"],
    modelsDir: "/nonexistent",
    tickMs: 0,
    now: () => now,
  };
  const a = await startDemoBookmaker({ ...options, seed: 3 });
  const b = await startDemoBookmaker({ ...options, seed: 3 });
  try {
    assert.deepEqual(a.fixtures(), b.fixtures());
    const before = a.fixtures();
    now = new Date(T0.getTime() + 50 * 60_000);
    a.tick();
    const after = a.fixtures();
    assert.deepEqual(after.map((f) => f.id), before.map((f) => f.id));
    assert.notDeepEqual(after.map((f) => f.odds), before.map((f) => f.odds), "prices drift");
    const id = after[0].id;
    a.setPrice(id, { x12: { home: 7.77 } });
    assert.equal(a.fixtures()[0].odds.x12.home, 7.77);
    assert.equal(a.fixtures()[0].odds.x12.draw, after[0].odds.x12.draw);
    assert.match(await (await fetch(a.bookUrl("demo-slow-a"))).text(), /7\.77/);
    assert.throws(() => a.setPrice(id, { x12: { home: 1 } }), /must be above 1/);
    assert.throws(() => a.setPrice("demo-999", { x12: { home: 2 } }), /Unknown demo fixture/);
    // Fixtures that kicked off are replaced by new ones.
    now = new Date(T0.getTime() + 5 * 86_400_000);
    a.tick();
    assert.ok(a.fixtures().every((f) => f.kickoff > now.toISOString()));
    assert.ok(a.fixtures().every((f) => !before.some((x) => x.id === f.id)));
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("demoBookmaker: team names come from the model card when it lists them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/italy-serie-a`);
    const teams = ["Inter", "Juventus", "Napoli", "AC Milan"];
    await Deno.writeTextFile(`${dir}/italy-serie-a/model.json`, JSON.stringify({ teams }));
    const controller = new AbortController();
    const demo = await startDemoBookmaker(
      { modelsDir: dir, tickMs: 50, matchesPerLeague: 2 },
      controller.signal,
    );
    const fixtures = demo.fixtures();
    assert.ok(fixtures.every((f) => f.league === "italy-serie-a"), "only the trained league");
    assert.equal(new Set(fixtures.flatMap((f) => [f.home_team, f.away_team])).size, 4);
    assert.ok(fixtures.every((f) => teams.includes(f.home_team) && teams.includes(f.away_team)));
    controller.abort();
    await demo.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("demoBookmaker: prices replay a real move, not a model, and the same seed gives the same market", async () => {
  let now = T0;
  const options = {
    leagues: ["england-premier-league"],
    modelsDir: "/nonexistent",
    tickMs: 0,
    now: () => now,
  };
  const a = await startDemoBookmaker({ ...options, seed: 9 });
  const b = await startDemoBookmaker({ ...options, seed: 9 });
  try {
    assert.deepEqual(a.replays(), b.replays());
    const f = a.fixtures()[0];
    const move = a.replays()[f.id];
    assert.match(move.origin, /england-premier-league \d{4}-\d{4}/, "a real past match");
    const fair = normalise([f.odds.x12.home, f.odds.x12.draw, f.odds.x12.away]);
    assert.ok(
      fair.every((p, i) => Math.abs(p - move.open.x12[i]) < 0.01),
      "sharp opens at the replayed opening",
    );
    now = new Date(Date.parse(f.kickoff) - 1);
    a.tick();
    const g = a.fixtures().find((x) => x.id === f.id)!;
    const closing = normalise([g.odds.x12.home, g.odds.x12.draw, g.odds.x12.away]);
    assert.ok(
      closing.every((p, i) => Math.abs(p - move.close.x12[i]) < 0.01),
      "and closes at the replayed closing",
    );
    assert.equal(a.books.length, 4);
    assert.notDeepEqual(a.fixtures("demo-slow-b")[0].odds, g.odds, "the books differ");
  } finally {
    await a.close();
    await b.close();
  }
});
