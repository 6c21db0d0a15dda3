import assert from "node:assert/strict";
import { canonicalTeam } from "../domain/team_aliases.ts";
import { matchId, slugify, validateRows } from "./validate.ts";

const ROW = {
  league: "epl",
  home: " Man  United ",
  away: "Spurs",
  kickoff: "2026-12-05T15:00:00Z",
  home_odds: "2,05",
  draw_odds: "3.5",
  away_odds: "3.6",
};

Deno.test("validateRows: maps league aliases and team aliases to canonical names", () => {
  const v = validateRows([ROW], { source: "s", canonicalTeam });
  assert.equal(v.rejected.length, 0);
  const m = v.matches[0];
  assert.equal(m.league, "england-premier-league");
  assert.equal(m.home_team, "Manchester United");
  assert.equal(m.away_team, "Tottenham");
  assert.equal(m.id, "england-premier-league:2026-12-05:manchester-united:tottenham");
  assert.deepEqual(m.odds, { x12: { home: 2.05, draw: 3.5, away: 3.6 } });
});

Deno.test("validateRows: drops and explains every invalid row", async (t) => {
  const cases: [string, Record<string, string | undefined>, string][] = [
    ["no league", { league: undefined }, "unknown_league"],
    ["unknown league", { league: "Moon League" }, "unknown_league"],
    ["missing away", { away: "  " }, "missing_team"],
    ["same team", { away: "Manchester United" }, "same_team"],
    ["missing kick-off", { kickoff: "" }, "missing_kickoff"],
    ["bad kick-off", { kickoff: "tomorrow-ish" }, "bad_kickoff"],
    ["price of 1", { draw_odds: "1" }, "bad_odds"],
    ["negative price", { away_odds: "-3" }, "bad_odds"],
    ["missing price", { home_odds: undefined }, "bad_odds"],
    ["absurd price", { home_odds: "1e9" }, "bad_odds"],
    ["bad totals price", { over_2_5: "0.5" }, "bad_odds"],
  ];
  for (const [name, patch, reason] of cases) {
    await t.step(name, () => {
      const v = validateRows([{ ...ROW, ...patch }], { source: "s", canonicalTeam });
      assert.equal(v.matches.length, 0);
      assert.equal(v.rejected[0].reason, reason);
    });
  }
});

Deno.test("validateRows: the source league applies to rows without one; duplicates collapse", () => {
  const v = validateRows([{ ...ROW, league: "" }, { ...ROW, league: "" }], {
    source: "s",
    league: "england-premier-league",
  });
  assert.equal(v.matches.length, 1);
  assert.equal(v.matches[0].home_team, "Man United");
});

Deno.test("matchId: slugs are URL-safe and accent-free", () => {
  assert.equal(slugify("Nott'm Forest"), "nott-m-forest");
  assert.equal(slugify("Atlético  Madrid"), "atletico-madrid");
  assert.equal(matchId("x", "2026-01-02T03:00:00Z", "A B", "C"), "x:2026-01-02:a-b:c");
});
