import assert from "node:assert/strict";
import { PiRatings } from "./pi_rating.ts";

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

function closeRating(actual: { home: number; away: number }, home: number, away: number): void {
  near(actual.home, home);
  near(actual.away, away);
}

Deno.test("PiRatings: three hand-worked matches (lambda 0.035, gamma 0.7, c 3)", () => {
  const pi = new PiRatings();
  // Match 1, A 2-0 B. All ratings 0, expected goal difference 0, error e = 2.
  // psi = 3 * log10(3) = 1.4313637642. A home += 0.035 * 1.4313637642 = 0.0500977317;
  // A away += 0.7 * 0.0500977317 = 0.0350684122. B away -= 0.0500977317; B home -= 0.0350684122.
  pi.update({ home: "A", away: "B", homeGoals: 2, awayGoals: 0 });
  closeRating(pi.ratings("A"), 0.0500977317, 0.0350684122);
  closeRating(pi.ratings("B"), -0.0350684122, -0.0500977317);
  // Match 2, B 1-1 C. B home rating -0.0350684122 -> -(10^(0.0350684122 / 3) - 1) = -0.0272815086
  // goals; C away 0 -> 0. Expected -0.0272815086, observed 0, e = 0.0272815086, above expectation:
  // psi = 3 * log10(1.0272815086) = 0.0350684122. B home += 0.035 * psi = 0.0012273944 ->
  // -0.0338410178; B away += 0.7 * 0.0012273944 -> -0.0492385556. C away -= 0.0012273944;
  // C home -= 0.0008591761.
  near(pi.expectedGoalDiff("B", "C"), -0.0272815086);
  pi.update({ home: "B", away: "C", homeGoals: 1, awayGoals: 1 });
  closeRating(pi.ratings("B"), -0.0338410178, -0.0492385556);
  closeRating(pi.ratings("C"), -0.0008591761, -0.0012273944);
  // Match 3, C 0-4 A. C home -0.0008591761 -> -0.0006596595 goals; A away 0.0350684122 ->
  // 0.0272815086 goals; expected -0.0279411681, observed -4, e = 3.9720588319.
  // psi = 3 * log10(4.9720588319) = 2.0896087764, below expectation for C: C home -= 0.035 * psi
  // = 0.0731363072 -> -0.0739954833; C away -= 0.7 * 0.0731363072 -> -0.0524228094.
  // A away += 0.0731363072 -> 0.1082047194; A home += 0.0511954150 -> 0.1012931468.
  near(pi.expectedGoalDiff("C", "A"), -0.0279411681);
  pi.update({ home: "C", away: "A", homeGoals: 0, awayGoals: 4 });
  closeRating(pi.ratings("C"), -0.0739954833, -0.0524228094);
  closeRating(pi.ratings("A"), 0.1012931468, 0.1082047194);
  // A at home to B: (10^(0.1012931468 / 3) - 1) + (10^(0.0492385556 / 3) - 1) = 0.1193625870.
  near(pi.expectedGoalDiff("A", "B"), 0.1193625870);
  assert.deepEqual(Object.keys(pi.snapshot()).sort(), ["A", "B", "C"]);
});

Deno.test("PiRatings: a result exactly as expected changes nothing", () => {
  const pi = new PiRatings();
  pi.update({ home: "A", away: "B", homeGoals: 0, awayGoals: 0 });
  assert.deepEqual(pi.ratings("A"), { home: 0, away: 0 });
  assert.deepEqual(pi.ratings("B"), { home: 0, away: 0 });
});

Deno.test("PiRatings: diminishing error makes a 6-0 teach less than 6 times a 1-0", () => {
  const big = new PiRatings();
  big.update({ home: "A", away: "B", homeGoals: 6, awayGoals: 0 });
  const small = new PiRatings();
  small.update({ home: "A", away: "B", homeGoals: 1, awayGoals: 0 });
  // 3 log10(7) = 2.535 vs 6 * 3 log10(2) = 5.419.
  near(big.ratings("A").home / small.ratings("A").home, Math.log10(7) / Math.log10(2));
  assert.ok(big.ratings("A").home < 6 * small.ratings("A").home);
});

Deno.test("PiRatings: snapshot and ratings are copies; bad input is rejected", () => {
  const pi = new PiRatings({ lambda: 0.1, gamma: 0.5 });
  pi.update({ home: "A", away: "B", homeGoals: 1, awayGoals: 0 });
  const snap = pi.snapshot();
  snap.A.home = 99;
  pi.ratings("A").home = 99;
  // 0.1 * 3 * log10(2) = 0.0903089987; away rating gets half.
  closeRating(pi.ratings("A"), 0.0903089987, 0.0451544993);
  assert.throws(() => new PiRatings({ gamma: 2 }), RangeError);
  assert.throws(() => new PiRatings({ lambda: -1 }), RangeError);
  assert.throws(
    () => pi.update({ home: "A", away: "B", homeGoals: Number.NaN, awayGoals: 0 }),
    RangeError,
  );
  assert.throws(() => pi.update({ home: "A", away: "A", homeGoals: 1, awayGoals: 0 }), RangeError);
});
