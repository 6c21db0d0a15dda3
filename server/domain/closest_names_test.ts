import assert from "node:assert/strict";
import { closestNames, editDistance } from "./closest_names.ts";

Deno.test("editDistance: counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("", ""), 0);
  assert.equal(editDistance("arsenal", "arsenal"), 0);
  assert.equal(editDistance("arsnal", "arsenal"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
});

Deno.test("closestNames: ranks by distance, keeps each name once", () => {
  const labels: [string, string][] = [
    ["Manchester City", "Manchester City"],
    ["Man City", "Manchester City"],
    ["Manchester United", "Manchester United"],
    ["Chelsea", "Chelsea"],
  ];
  assert.deepEqual(closestNames("man cty", labels, 1), ["Manchester City"]);
  assert.deepEqual(closestNames("manchester", labels, 3), [
    "Manchester City",
    "Manchester United",
    "Chelsea",
  ]);
  assert.deepEqual(closestNames("chelsey", labels, 1), ["Chelsea"]);
});
