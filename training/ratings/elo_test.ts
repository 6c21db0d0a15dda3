import assert from "node:assert/strict";
import { EloRatings, marginMultiplier } from "./elo.ts";

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

Deno.test("marginMultiplier: 1, 1.5, (11 + N) / 8", () => {
  assert.equal(marginMultiplier(0), 1);
  assert.equal(marginMultiplier(-1), 1);
  assert.equal(marginMultiplier(2), 1.5);
  assert.equal(marginMultiplier(3), 14 / 8);
  assert.equal(marginMultiplier(-5), 2);
});

Deno.test("EloRatings: three hand-worked matches (k 20, home advantage 60)", () => {
  const elo = new EloRatings();
  // Match 1, A 2-0 B at A: dr = 1500 + 60 - 1500 = 60; W_e = 1 / (1 + 10^(-0.15))
  // = 1 / 1.7079458 = 0.5854986787. G = 1.5; delta = 20 * 1.5 * (1 - 0.5854986787) = 12.4350396.
  near(elo.expected("A", "B"), 0.5854986787);
  elo.update({ home: "A", away: "B", homeGoals: 2, awayGoals: 0 });
  near(elo.rating("A"), 1512.4350396398);
  near(elo.rating("B"), 1487.5649603602);
  // Match 2, B 1-1 C at B: dr = 1487.5649604 + 60 - 1500 = 47.5649604;
  // W_e = 1 / (1 + 10^(-0.1189124)) = 0.5680270135. G = 1; delta = 20 * (0.5 - 0.5680270) = -1.3605403.
  elo.update({ home: "B", away: "C", homeGoals: 1, awayGoals: 1 });
  near(elo.rating("B"), 1486.2044200894);
  near(elo.rating("C"), 1501.3605402708);
  // Match 3, C 0-4 A at C: dr = 1501.3605403 + 60 - 1512.4350396 = 48.9255006;
  // W_e = 0.5699477118. G = (11 + 4) / 8 = 1.875; delta = 20 * 1.875 * (0 - 0.5699477) = -21.3730392.
  near(elo.expected("C", "A"), 0.5699477118);
  elo.update({ home: "C", away: "A", homeGoals: 0, awayGoals: 4 });
  near(elo.rating("C"), 1479.9875010794);
  near(elo.rating("A"), 1533.8080788312);
  const snap = elo.snapshot();
  assert.deepEqual(Object.keys(snap).sort(), ["A", "B", "C"]);
  // Points are only exchanged: the total stays 3 * 1500.
  near(snap.A + snap.B + snap.C, 4500);
});

Deno.test("EloRatings: options, unseen teams and snapshot isolation", () => {
  const elo = new EloRatings({ k: 40, homeAdvantage: 0, initial: 1000 });
  assert.equal(elo.rating("Nobody"), 1000);
  assert.equal(elo.expected("X", "Y"), 0.5);
  elo.update({ home: "X", away: "Y", homeGoals: 1, awayGoals: 0 });
  // 40 * 1 * (1 - 0.5) = 20.
  assert.equal(elo.rating("X"), 1020);
  const snap = elo.snapshot();
  snap.X = 0;
  assert.equal(elo.rating("X"), 1020);
});

Deno.test("EloRatings: rejects bad options and matches", () => {
  assert.throws(() => new EloRatings({ k: 0 }), RangeError);
  assert.throws(() => new EloRatings({ initial: Number.NaN }), RangeError);
  const elo = new EloRatings();
  assert.throws(
    () => elo.update({ home: "A", away: "B", homeGoals: 1.5, awayGoals: 0 }),
    RangeError,
  );
  assert.throws(() => elo.update({ home: "A", away: "A", homeGoals: 1, awayGoals: 0 }), RangeError);
  assert.deepEqual(elo.snapshot(), {});
});
