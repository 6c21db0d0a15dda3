import assert from "node:assert/strict";
import { CacheAdmissionFilter } from "./admission.ts";

Deno.test("CacheAdmissionFilter: a key is new once, then seen", () => {
  const d = new CacheAdmissionFilter(100);
  assert.equal(d.seen("a"), false);
  assert.equal(d.seen("a"), true);
  assert.equal(d.seen("a"), true);
  assert.equal(d.seen("b"), false);
  assert.equal(d.seen("b"), true);
});

Deno.test("CacheAdmissionFilter: distinct keys are rarely taken for seen ones", () => {
  const d = new CacheAdmissionFilter(4000);
  let falsePositives = 0;
  for (let i = 0; i < 4000; i++) {
    if (d.seen(`v1\u0000epl\u0000Team ${i}\u0000odds ${i * 7}`)) falsePositives++;
  }
  assert.ok(falsePositives < 40, `false positives: ${falsePositives} of 4000`);
});

Deno.test("CacheAdmissionFilter: forgets everything after resetAfter new keys, and on clear()", () => {
  const d = new CacheAdmissionFilter(10);
  d.seen("old");
  for (let i = 0; i < 10; i++) d.seen(`k${i}`);
  assert.equal(d.seen("old"), false, "the 10th new key after it cleared the filter");
  assert.equal(d.seen("k9"), true, "the key that triggered the reset is remembered");
  d.clear();
  assert.equal(d.seen("k9"), false);
});

Deno.test("CacheAdmissionFilter: rejects a size that is not a positive integer", () => {
  for (const bad of [0, -1, 1.5, NaN]) {
    assert.throws(() => new CacheAdmissionFilter(bad), RangeError);
  }
});
