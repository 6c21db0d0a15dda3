import assert from "node:assert/strict";
import type { BookmakerMatch } from "../data/bookmaker_prices.ts";
import { matchCandidates } from "./candidates.ts";

function match(close?: number[]): BookmakerMatch {
  return {
    match: {
      id: "england-premier-league:2019-08-10:Arsenal:Chelsea",
      league: "england-premier-league",
      season: "2019-2020",
      kickoff: new Date("2019-08-10T14:00:00Z"),
      home: "Arsenal",
      away: "Chelsea",
      homeGoals: 2,
      awayGoals: 1,
      opening: {},
      closing: {},
    },
    season: "2019-20",
    x12: [
      { book: "B365", prices: [2.2, 3.4, 3.5] },
      { book: "PS", prices: [2.0, 3.5, 4.0] },
      { book: "WH", prices: [2.1, 3.6, 3.6] },
    ],
    totals25: [{ book: "PS", prices: [1.9, 2.0] }],
    aggregate: {},
    pinnacleClose: { x12: close },
  };
}

Deno.test("matchCandidates: best price across books, edge on the opening fair, CLV on the close", () => {
  const [home, draw, away] = matchCandidates(match([1.9, 3.6, 4.4]), {
    marginRemoval: "normalise",
  });
  assert.equal(home.book, "B365");
  assert.equal(home.price, 2.2);
  assert.equal(draw.book, "WH");
  assert.equal(away.book, "PS");
  assert.equal(home.books, 3);
  const open = [1 / 2, 1 / 3.5, 1 / 4], openSum = open.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(home.fair - 0.5 / openSum) < 1e-12);
  assert.ok(Math.abs(home.edge - (2.2 * 0.5 / openSum - 1)) < 1e-12);
  // CLV = price / fair closing price - 1, the fair closing price from Pinnacle's close.
  const shut = [1 / 1.9, 1 / 3.6, 1 / 4.4], shutSum = shut.reduce((a, b) => a + b, 0);
  const fairClosingPrice = 1 / (shut[0] / shutSum);
  assert.ok(Math.abs(home.clv - (2.2 / fairClosingPrice - 1)) < 1e-12);
  assert.ok(Math.abs(home.clv - 0.1226804) < 1e-6);
  assert.deepEqual([home.won, draw.won, away.won], [true, false, false]);
});

Deno.test("matchCandidates: closing prices score a candidate but never change its edge", () => {
  const a = matchCandidates(match([1.9, 3.6, 4.4]), { marginRemoval: "shin" });
  const b = matchCandidates(match([3.0, 3.3, 2.4]), { marginRemoval: "shin" });
  assert.deepEqual(a.map((c) => c.edge), b.map((c) => c.edge));
  assert.notDeepEqual(a.map((c) => c.clv), b.map((c) => c.clv));
});

Deno.test("matchCandidates: a market without Pinnacle's closing price yields no candidate", () => {
  assert.deepEqual(matchCandidates(match(undefined), { marginRemoval: "power" }), []);
});
