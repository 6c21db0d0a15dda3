import assert from "node:assert/strict";
import { HttpError } from "../http/errors.ts";
import { createMemoryEngine } from "./memory_engine.ts";

Deno.test("createMemoryEngine: predicts coherent probabilities with aliases", async () => {
  const engine = createMemoryEngine();
  const p = await engine.predict({
    league: "EPL",
    home_team: "Man United",
    away_team: "norwich",
    odds: { home: 2.5, draw: 3.4, away: 3.1 },
  });
  assert.equal(p.league, "england-premier-league");
  assert.equal(p.home_team, "Manchester United");
  assert.equal(p.away_team, "Norwich");
  const { home_win, draw, away_win } = p.probabilities;
  assert.ok(Math.abs(home_win + draw + away_win - 1) < 1e-5);
  assert.ok(home_win > away_win, "the stronger home side is favoured");
  assert.ok(Math.abs(p.markets.btts.yes + p.markets.btts.no - 1) < 1e-5);
  assert.equal(p.score_matrix.length, 11);
  assert.ok(p.value_bets.some((v) => v.market === "1x2" && v.selection === "home"));
  for (const v of p.value_bets) {
    assert.ok(v.edge > 0 && v.kelly_fraction > 0 && v.kelly_fraction <= 0.05);
  }
  assert.equal(engine.calls, 1);
});

Deno.test("createMemoryEngine: unknown names are 422 with the closest known names", async () => {
  const engine = createMemoryEngine();
  await assert.rejects(
    engine.predict({ league: "epl", home_team: "Liverpol", away_team: "Arsenal" }),
    (e: unknown) =>
      e instanceof HttpError && e.status === 422 && e.code === "unknown_team" &&
      JSON.stringify(e.details).includes("Liverpool"),
  );
  for (const league of ["narnia", "constructor", "__proto__", "toString"]) {
    await assert.rejects(
      engine.predict({ league, home_team: "A", away_team: "B" }),
      (e: unknown) => e instanceof HttpError && e.status === 422 && e.code === "unknown_league",
    );
  }
});

Deno.test("createMemoryEngine: not ready is a 503; a delay honours the abort signal", async () => {
  const engine = createMemoryEngine({ ready: false });
  const req = { league: "epl", home_team: "Arsenal", away_team: "Burnley" };
  await assert.rejects(
    engine.predict(req),
    (e: unknown) => e instanceof HttpError && e.status === 503 && e.headers["Retry-After"] === "5",
  );
  engine.setReady(true);
  engine.setDelay(10_000);
  const ac = new AbortController();
  const p = engine.predict(req, ac.signal);
  ac.abort(new Error("stop"));
  await assert.rejects(p, /stop/);
});
