import assert from "node:assert/strict";
import { clampRho, scoreMatrix, tau } from "../../server/domain/score_matrix.ts";
import type { MatchRecord } from "../../server/domain/types.ts";
import { simulateLeague } from "./simulate.ts";
import { walkForwardDixonColes } from "./walk_forward.ts";

const TEAMS = Array.from({ length: 10 }, (_, i) => `Club ${i}`);
const ATTACK = [0.3, 0.2, 0.1, 0.05, 0, 0, -0.05, -0.1, -0.2, -0.3];
const DEFENCE = [-0.3, -0.1, -0.2, 0, 0.05, 0, 0.1, 0.05, 0.2, 0.2];

function league(name: string, seed: number): MatchRecord[] {
  return simulateLeague({
    teams: TEAMS,
    attack: ATTACK,
    defence: DEFENCE,
    seasons: 3,
    seed,
    league: name,
  });
}

const FROM = new Date("2017-08-01T00:00:00Z");
const TO = new Date("2018-08-01T00:00:00Z");

Deno.test("walkForwardDixonColes: altering later results leaves earlier predictions unchanged", () => {
  const matches = league("sim", 5);
  const cutoff = new Date("2017-10-15T00:00:00Z");
  // Later results replaced by lopsided nonsense.
  const altered = matches.map((m) =>
    m.kickoff >= cutoff ? { ...m, homeGoals: m.awayGoals + 4, awayGoals: 0 } : m
  );
  const a = walkForwardDixonColes(matches, { from: FROM, to: TO });
  const b = walkForwardDixonColes(altered, { from: FROM, to: TO });
  assert.equal(a.length, 90);
  assert.equal(b.length, a.length);
  let before = 0, changedAfter = 0;
  for (let k = 0; k < a.length; k++) {
    assert.equal(a[k].match.id, b[k].match.id);
    const kickoff = a[k].match.kickoff.getTime();
    assert.ok(Date.parse(a[k].fittedAsOf) <= kickoff, "fitted before kickoff");
    assert.ok(kickoff - Date.parse(a[k].fittedAsOf) < 7 * 86_400_000, "fit at most a week old");
    if (a[k].match.kickoff < cutoff) {
      before++;
      assert.deepEqual(b[k].probs, a[k].probs, a[k].match.id);
      assert.equal(b[k].lambda, a[k].lambda);
      assert.equal(b[k].mu, a[k].mu);
    } else if (Math.abs(b[k].lambda - a[k].lambda) > 1e-6) {
      changedAfter++;
    }
  }
  assert.ok(before > 20, `only ${before} predictions before the cutoff`);
  // The alteration is visible to predictions made after it, so the check above can fail.
  assert.ok(changedAfter > 20, `only ${changedAfter} later predictions changed`);
});

Deno.test("walkForwardDixonColes: fits each league on its own matches", () => {
  const one = league("one", 8);
  const two = league("two", 9).map((m) => ({ ...m, kickoff: new Date(m.kickoff.getTime() + 1) }));
  const alone = walkForwardDixonColes(one, { from: FROM, to: TO });
  const progress: string[] = [];
  const mixed = walkForwardDixonColes(
    [...two, ...one],
    { from: FROM, to: TO },
    (p) => progress.push(p.league),
  );
  assert.equal(mixed.length, 180);
  const fromOne = mixed.filter((p) => p.match.league === "one");
  assert.deepEqual(fromOne.map((p) => p.probs), alone.map((p) => p.probs));
  assert.ok(progress.includes("one") && progress.includes("two"));
  for (const p of mixed) {
    assert.ok(Math.abs(p.probs[0] + p.probs[1] + p.probs[2] - 1) < 1e-12);
  }
  // Kick-off order across leagues.
  for (let k = 1; k < mixed.length; k++) {
    assert.ok(mixed[k - 1].match.kickoff <= mixed[k].match.kickoff);
  }
});

Deno.test("walkForwardDixonColes: rejects a range with nothing to learn from", () => {
  const matches = league("sim", 5);
  assert.throws(
    () => walkForwardDixonColes(matches, { from: new Date("2015-01-01"), to: TO }),
    /No matches of "sim" before/,
  );
  assert.throws(() => walkForwardDixonColes(matches, { from: TO, to: FROM }), /Invalid/);
  const aborted = AbortSignal.abort(new Error("stop"));
  assert.throws(
    () => walkForwardDixonColes(matches, { from: FROM, to: TO, signal: aborted }),
    /stop/,
  );
});

Deno.test("clampRho: keeps every tau factor positive", () => {
  for (const [lambda, mu, rho] of [[5, 0.3, -0.5], [3, 3, 0.4], [0.2, 0.2, 2], [1.4, 1.1, -0.1]]) {
    const r = clampRho(lambda, mu, rho);
    for (const [x, y] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      assert.ok(tau(x, y, lambda, mu, r) > 0, `tau(${x},${y}) at ${lambda},${mu},${rho}`);
    }
    assert.ok(scoreMatrix(lambda, mu, r).every((v) => v >= 0));
  }
  assert.equal(clampRho(1.4, 1.1, -0.1), -0.1);
});
