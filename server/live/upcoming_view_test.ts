import assert from "node:assert/strict";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import { summarizePrediction, toMatchSummary, toUpcomingMatch } from "./upcoming_view.ts";
import type { StoredMatch } from "./odds_store.ts";

const odds = { x12: { home: 2.6, draw: 3.4, away: 2.7 }, over_2_5: 1.9 };
const stored: StoredMatch = {
  id: "england-premier-league:2030-01-01:arsenal:liverpool",
  league: "england-premier-league",
  home_team: "Arsenal",
  away_team: "Liverpool",
  kickoff: "2030-01-01T15:00:00.000Z",
  quotes: [{
    source: "demo",
    odds,
    opening_odds: odds,
    opened_at: "2029-12-30T12:00:00.000Z",
    updated_at: "2029-12-31T12:00:00.000Z",
    changes: 1,
  }],
};

Deno.test("summarizePrediction: the headline numbers only, a fraction of the full size", async () => {
  const p = await createMemoryEngine().predict({
    league: "england-premier-league",
    home_team: "Arsenal",
    away_team: "Liverpool",
    odds: { home: 2.6, draw: 3.4, away: 2.7 },
  });
  const s = summarizePrediction(p);
  assert.deepEqual(s, {
    probabilities: p.probabilities,
    expected_goals: p.expected_goals,
    fair_odds: { home: p.fair_odds.home, draw: p.fair_odds.draw, away: p.fair_odds.away },
    model: { version: p.model.version, variant: p.model.variant },
  });
  const full = JSON.stringify(p).length;
  const slim = JSON.stringify(s).length;
  assert.ok(slim * 5 < full, `summary ${slim} B vs full ${full} B`);

  const view = toUpcomingMatch(stored, { prediction: p })!;
  assert.equal(view.prediction, p, "REST and the match page keep the full prediction");
  const event = toMatchSummary(view);
  assert.deepEqual(event.prediction, s);
  assert.deepEqual(event.value_bets, p.value_bets, "value bets stay on the match");
  assert.deepEqual({ ...event, prediction: undefined }, { ...view, prediction: undefined });
});

Deno.test("toMatchSummary: a match without a prediction stays without one", () => {
  const view = toUpcomingMatch(stored)!;
  const event = toMatchSummary(view);
  assert.equal("prediction" in event, false);
  assert.deepEqual(event.value_bets, []);
  assert.equal(toUpcomingMatch({ ...stored, quotes: [] }), undefined);
});

Deno.test("toUpcomingMatch: carries every source's prices as a named book, latest first", () => {
  const later = { x12: { home: 2.7, draw: 3.3, away: 2.6 }, btts_yes: 1.8, btts_no: 2.0 };
  const two: StoredMatch = {
    ...stored,
    quotes: [
      {
        ...stored.quotes[0],
        source: "book-b",
        odds: later,
        updated_at: "2029-12-31T13:00:00.000Z",
      },
      stored.quotes[0],
    ],
  };
  const view = toUpcomingMatch(two)!;
  assert.equal(view.source, "book-b");
  assert.deepEqual(view.bookmakers, [
    {
      name: "book-b",
      home: 2.7,
      draw: 3.3,
      away: 2.6,
      btts_yes: 1.8,
      btts_no: 2.0,
      updated_at: "2029-12-31T13:00:00.000Z",
    },
    {
      name: "demo",
      home: 2.6,
      draw: 3.4,
      away: 2.7,
      over_2_5: 1.9,
      updated_at: "2029-12-31T12:00:00.000Z",
    },
  ]);
  assert.deepEqual(toMatchSummary(view).bookmakers, view.bookmakers, "events carry them too");
});
