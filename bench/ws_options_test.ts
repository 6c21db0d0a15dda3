import assert from "node:assert/strict";
import { wsBenchOptions } from "./ws_options.ts";

Deno.test("wsBenchOptions: leaves docs/BENCHMARKS.md alone unless --write is given", async (t) => {
  await t.step("no flag: print only", () => {
    assert.equal(wsBenchOptions([]).write, false);
  });
  await t.step("--write: replace the WebSocket section", () => {
    assert.equal(wsBenchOptions(["--write"]).write, true);
  });
});

Deno.test("wsBenchOptions: the default run and its validation", () => {
  const o = wsBenchOptions([]);
  assert.deepEqual(o.sizes, [1000, 5000, 10000]);
  assert.deepEqual(o.floor, [10000]);
  assert.deepEqual(o.sustain, ["summary", "full", "mixed"]);
  assert.deepEqual(wsBenchOptions(["--floor=none", "--no-sustain"]).floor, []);
  assert.throws(() => wsBenchOptions(["--sizes=20000"]), /Invalid --sizes/);
  assert.deepEqual(o.servers, ["guarded", "deno"]);
  assert.deepEqual(wsBenchOptions(["--server=deno"]).servers, ["deno"]);
  assert.throws(() => wsBenchOptions(["--server=node"]), /Invalid --server/);
});
