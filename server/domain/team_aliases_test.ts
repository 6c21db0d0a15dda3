import assert from "node:assert/strict";
import { LEAGUES } from "./leagues.ts";
import { aliasesFor, canonicalTeam, knownAliases } from "./team_aliases.ts";

Deno.test("canonicalTeam: maps football-data.co.uk Premier League spellings", () => {
  // The five names that differ between football-data-co-uk/E0-*.csv and leagues/ (2020-2023).
  const pairs: [string, string][] = [
    ["Man City", "Manchester City"],
    ["Man United", "Manchester United"],
    ["Newcastle", "Newcastle Utd"],
    ["Nott'm Forest", "Nottingham"],
    ["Sheffield United", "Sheffield Utd"],
  ];
  for (const [alias, canonical] of pairs) {
    assert.equal(canonicalTeam("england-premier-league", alias), canonical);
    assert.equal(canonicalTeam("england-premier-league", canonical), canonical);
  }
});

Deno.test("canonicalTeam: ignores case, accents and spacing, and accepts league aliases", () => {
  assert.equal(canonicalTeam("epl", "  man   united "), "Manchester United");
  assert.equal(canonicalTeam("E0", "MANCHESTER UNITED"), "Manchester United");
  assert.equal(canonicalTeam("spain-laliga", "Atlético Madrid"), "Atl. Madrid");
  assert.equal(canonicalTeam("germany-bundesliga", "Bayern Munich"), "Bayern Munich");
  assert.equal(canonicalTeam("italy-serie-a", "Inter"), "Inter");
  assert.equal(canonicalTeam("france-ligue-1", "Paris SG"), "PSG");
  assert.equal(canonicalTeam("netherlands-eredivisie", "Ajax"), "Ajax");
  assert.equal(canonicalTeam("belgium-jupiler-pro-league", "Standard"), "St. Liege");
});

Deno.test("canonicalTeam: leaves unknown names and leagues alone (trimmed)", () => {
  assert.equal(canonicalTeam("england-premier-league", " Dagenham  Red "), "Dagenham Red");
  assert.equal(canonicalTeam("fd-sc0", "Celtic"), "Celtic");
  // An alias of one league is not applied in another.
  assert.equal(canonicalTeam("spain-laliga", "Man United"), "Man United");
});

Deno.test("knownAliases: every alias resolves to its own canonical name, none collide", () => {
  for (const league of LEAGUES) {
    const aliases = knownAliases(league.key);
    const canonicals = new Set(Object.values(aliases));
    for (const [alias, canonical] of Object.entries(aliases)) {
      assert.equal(canonicalTeam(league.key, alias), canonical, `${league.key}: ${alias}`);
      assert.ok(!canonicals.has(alias) || alias === canonical, `${alias} is also a canonical name`);
    }
  }
});

Deno.test("aliasesFor: lists spellings of a canonical name", () => {
  assert.ok(aliasesFor("england-premier-league", "Manchester United").includes("Man United"));
  assert.ok(aliasesFor("epl", "man united").includes("Man Utd"));
  assert.deepEqual(aliasesFor("england-premier-league", "Arsenal"), []);
  assert.deepEqual(aliasesFor("nowhere", "Arsenal"), []);
});

Deno.test("team aliases: canonical names are the shared data's spellings", async (t) => {
  const root = Deno.env.get("SABISCORE_DATA") ??
    new URL("../../../shared/data", import.meta.url).pathname;
  for (const league of LEAGUES) {
    let text: string;
    try {
      text = await Deno.readTextFile(`${root}/leagues/${league.dataFile}`);
    } catch {
      console.warn(`skipped: shared data not found at ${root}`);
      return;
    }
    await t.step(league.key, () => {
      const names = new Set(
        text.split("\n").slice(1).filter(Boolean).flatMap((l) => l.split(",").slice(4, 6)),
      );
      for (const canonical of new Set(Object.values(knownAliases(league.key)))) {
        assert.ok(names.has(canonical), `${canonical} not in ${league.dataFile}`);
      }
    });
  }
});
