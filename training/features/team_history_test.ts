import assert from "node:assert/strict";
import type { MatchRecord } from "../../server/domain/types.ts";
import { TeamHistory } from "./team_history.ts";

function match(day: number, home: string, away: string, hg: number, ag: number): MatchRecord {
  const kickoff = new Date(Date.UTC(2020, 0, day, 15));
  return {
    id: `t:${day}:${home}:${away}`,
    league: "t",
    season: "2019-2020",
    kickoff,
    home,
    away,
    homeGoals: hg,
    awayGoals: ag,
    opening: {},
    closing: {},
  };
}

Deno.test("TeamHistory: state before a match reflects only earlier matches", () => {
  const h = new TeamHistory({ formAlpha: 0.5 });
  assert.deepEqual(h.stateOf("A"), { elo: 1500, pi_home: 0, pi_away: 0, form: 0 });
  h.update(match(1, "A", "B", 2, 0));
  const a = h.stateOf("A");
  const b = h.stateOf("B");
  // Form: 0.5 * 0 + 0.5 * (3 - 1.37) = 0.815 for the winner, 0.5 * (0 - 1.37) for the loser.
  assert.ok(Math.abs(a.form - 0.815) < 1e-12);
  assert.ok(Math.abs(b.form + 0.685) < 1e-12);
  assert.ok(a.elo > 1500 && b.elo < 1500);
  assert.ok(a.pi_home > 0 && b.pi_away < 0);
  assert.equal(a.last_match, Math.floor(Date.UTC(2020, 0, 1, 15) / 86_400_000));
  assert.deepEqual(h.teams(), ["A", "B"]);
});
