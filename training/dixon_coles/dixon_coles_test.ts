import assert from "node:assert/strict";
import type { MatchRecord } from "../../server/domain/types.ts";
import { dixonColesObjective, fitDixonColes } from "./fit.ts";
import { expectedGoals } from "./params.ts";
import { mulberry32, simulateLeague } from "./simulate.ts";

const TEAMS = Array.from({ length: 20 }, (_, i) => `Team ${String(i).padStart(2, "0")}`);

/** Known strengths: spread like a real league (sd ~0.25), centred exactly on 0. */
function trueStrengths(seed: number): { attack: number[]; defence: number[] } {
  const random = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centre = (v: number[]) => {
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    return v.map((x) => x - mean);
  };
  return {
    attack: centre(TEAMS.map(() => 0.25 * gauss())),
    defence: centre(TEAMS.map(() => 0.25 * gauss())),
  };
}

function rmse(a: number[], b: number[]): number {
  return Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0) / a.length);
}

Deno.test("fitDixonColes: recovers known parameters of a simulated league", () => {
  const truth = trueStrengths(7);
  const matches = simulateLeague({
    teams: TEAMS,
    ...truth,
    intercept: 0.1,
    homeAdvantage: 0.25,
    rho: -0.1,
    seasons: 5,
    seed: 2024,
  });
  assert.equal(matches.length, 5 * 380);
  const asOf = new Date(matches[matches.length - 1].kickoff.getTime() + 1);
  // xi = 0: every match counts fully. A light ridge (prior sd 1) keeps the shrinkage bias small.
  const started = performance.now();
  const params = fitDixonColes(matches, { asOf, xi: 0, ridge: 1 });
  const ms = performance.now() - started;
  assert.equal(params.fit?.converged, true);
  const attack = TEAMS.map((t) => params.attack[t]);
  const defence = TEAMS.map((t) => params.defence[t]);
  // 190 matches per team give each log-strength a standard error of ~1/sqrt(190 * 1.3) ~ 0.06;
  // rho's is ~0.035 and home advantage's ~0.025 with 1,900 matches: assert ~2.5 standard errors.
  const errors = {
    attack: rmse(attack, truth.attack),
    defence: rmse(defence, truth.defence),
    home: Math.abs(params.homeAdvantage - 0.25),
    rho: Math.abs(params.rho + 0.1),
    intercept: Math.abs(params.intercept - 0.1),
  };
  console.log(`recovery errors ${JSON.stringify(errors)}; fit took ${ms.toFixed(1)} ms`);
  assert.ok(errors.attack < 0.08, `attack RMSE ${errors.attack}`);
  assert.ok(errors.defence < 0.08, `defence RMSE ${errors.defence}`);
  assert.ok(errors.home < 0.05, `home advantage error ${errors.home}`);
  assert.ok(errors.rho < 0.06, `rho error ${errors.rho}`);
  assert.ok(errors.intercept < 0.05, `intercept error ${errors.intercept}`);
  const meanAttack = attack.reduce((s, x) => s + x, 0) / attack.length;
  assert.ok(Math.abs(meanAttack) < 1e-4, `mean attack ${meanAttack}`);
});

/** Five simulated seasons where "Team 19" is replaced by "Newcomer" from the third season. */
function withPromotion(): MatchRecord[] {
  const truth = trueStrengths(3);
  return simulateLeague({ teams: TEAMS, ...truth, seasons: 5, seed: 11 }).map((m) => {
    if (m.season < "2017-2018") return m;
    const rename = (t: string) => (t === "Team 19" ? "Newcomer" : t);
    return { ...m, home: rename(m.home), away: rename(m.away) };
  });
}

Deno.test("dixonColesObjective: analytic gradient matches central differences", () => {
  const matches = withPromotion();
  const asOf = new Date("2019-03-01T00:00:00Z");
  const { f, size, teams } = dixonColesObjective(matches, { asOf, xi: 0.002, ridge: 3 });
  assert.equal(size, 2 * teams.length + 5);
  const random = mulberry32(99);
  const x = Float64Array.from({ length: size }, () => 0.2 * (random() - 0.5));
  x[2 * teams.length] = 0.2; // intercept
  x[2 * teams.length + 2] = -0.08; // rho
  const g = new Float64Array(size);
  f(x, g);
  const scratch = new Float64Array(size);
  for (let q = 0; q < size; q++) {
    const h = 1e-6;
    const xp = Float64Array.from(x), xm = Float64Array.from(x);
    xp[q] += h;
    xm[q] -= h;
    const numeric = (f(xp, scratch) - f(xm, scratch)) / (2 * h);
    assert.ok(
      Math.abs(numeric - g[q]) < 1e-7 + 1e-5 * Math.abs(numeric),
      `component ${q}: analytic ${g[q]}, numeric ${numeric}`,
    );
  }
});

Deno.test("fitDixonColes: ignores matches at or after asOf", () => {
  const matches = withPromotion();
  const asOf = matches[1000].kickoff;
  const past = matches.filter((m) => m.kickoff < asOf);
  // Later results rewritten to nonsense must not move the fit.
  const tampered = matches.map((
    m,
  ) => (m.kickoff >= asOf ? { ...m, homeGoals: 9, awayGoals: 0 } : m));
  const a = fitDixonColes(past, { asOf });
  const b = fitDixonColes(tampered, { asOf });
  assert.deepEqual(b, a);
  assert.equal(a.fit?.matches, 1000);
  assert.throws(
    () => fitDixonColes(matches, { asOf: matches[0].kickoff }),
    /No matches before "2015-08-08T15:00:00.000Z"/,
  );
});

Deno.test("fitDixonColes: rejects invalid input", () => {
  const [m] = withPromotion();
  const asOf = new Date("2030-01-01");
  assert.throws(() => fitDixonColes([{ ...m, homeGoals: -1 }], { asOf }), /Invalid score/);
  assert.throws(() => fitDixonColes([{ ...m, awayGoals: 1.5 }], { asOf }), /Invalid score/);
  assert.throws(() => fitDixonColes([m], { asOf: new Date("nope") }), /Invalid asOf/);
  assert.throws(() => fitDixonColes([m], { asOf, ridge: 0 }), /Invalid ridge/);
});

Deno.test("fitDixonColes: a warm start reaches the same optimum as a cold start", () => {
  const matches = withPromotion();
  const first = fitDixonColes(matches, { asOf: new Date("2018-01-01T00:00:00Z") });
  const asOf = new Date("2018-03-01T00:00:00Z");
  const cold = fitDixonColes(matches, { asOf });
  const warm = fitDixonColes(matches, { asOf, init: first });
  assert.ok((warm.fit?.iterations ?? 0) < (cold.fit?.iterations ?? 0));
  for (const t of cold.teams) {
    assert.ok(Math.abs(warm.attack[t] - cold.attack[t]) < 1e-4, t);
    assert.ok(Math.abs(warm.defence[t] - cold.defence[t]) < 1e-4, t);
  }
  assert.ok(Math.abs(warm.rho - cold.rho) < 1e-4);
  // Plain JSON for the model card.
  assert.deepEqual(JSON.parse(JSON.stringify(cold)), cold);
});

Deno.test("fitDixonColes: learns that promoted teams are weaker and uses it for unknown teams", () => {
  // Every season from the second on, a fresh weak side replaces "Team 19" for one season only.
  const truth = trueStrengths(5);
  const base = simulateLeague({ teams: TEAMS, ...truth, seasons: 1, seed: 21 });
  const seasons: MatchRecord[][] = [base];
  for (let s = 1; s < 6; s++) {
    const name = `Promoted ${s}`;
    const attack = [...truth.attack.slice(0, 19), -0.35];
    const defence = [...truth.defence.slice(0, 19), 0.35];
    seasons.push(simulateLeague({
      teams: [...TEAMS.slice(0, 19), name],
      attack,
      defence,
      seasons: 1,
      seed: 21 + s,
      start: new Date(Date.UTC(2015 + s, 7, 8, 15)),
    }));
  }
  const matches = seasons.flat();
  const asOf = new Date("2021-07-01T00:00:00Z");
  const params = fitDixonColes(matches, { asOf, xi: 0 });
  assert.ok(params.promoted, "promoted offsets are learned");
  assert.ok(params.promoted.attack < -0.15, `promoted attack ${params.promoted.attack}`);
  assert.ok(params.promoted.defence > 0.15, `promoted defence ${params.promoted.defence}`);
  assert.deepEqual(params.newTeams, ["Promoted 5"]);
  assert.equal(params.season, "2020-2021");

  const known = "Team 03";
  const unknown = expectedGoals(params, "Brand New FC", known);
  assert.ok(
    Math.abs(
      Math.log(unknown.lambda) -
        (params.intercept + params.homeAdvantage + params.promoted.attack +
          params.defence[known]),
    ) < 1e-12,
  );
  // Next season, "Promoted 5" is no longer promoted; a returning "Promoted 1" is again.
  const sameSeason = expectedGoals(params, "Promoted 5", known);
  const nextSeason = expectedGoals(params, "Promoted 5", known, { season: "2021-2022" });
  assert.ok(
    Math.abs(Math.log(sameSeason.lambda / nextSeason.lambda) - params.promoted.attack) < 1e-12,
  );
  const returning = expectedGoals(params, "Promoted 1", known, { season: "2021-2022" });
  const returningNow = expectedGoals(params, "Promoted 1", known);
  assert.ok(
    Math.abs(Math.log(returning.lambda / returningNow.lambda) - params.promoted.attack) < 1e-12,
  );
});
