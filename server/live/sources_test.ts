import assert from "node:assert/strict";
import { FOOTBALL_DATA_FIXTURES, loadSourcesFile, parseSources } from "./sources.ts";

Deno.test("parseSources: reads sources and named built-ins", () => {
  const sources = parseSources(JSON.stringify([
    {
      name: "board",
      url: "http://127.0.0.1:9999/odds",
      interval_ms: 5000,
      parser: "html",
      selectors: { row: "tr.m" },
      league: "epl",
    },
    { builtin: "football-data-fixtures" },
  ]));
  assert.equal(sources.length, 2);
  assert.deepEqual(sources[0].selectors, { row: "tr.m" });
  assert.deepEqual(sources[1], FOOTBALL_DATA_FIXTURES);
});

Deno.test("parseSources: bad entries are refused with the entry and field named", async (t) => {
  const ok = { name: "a", url: "http://x.test/", interval_ms: 5000, parser: "html" };
  const cases: [string, string, RegExp][] = [
    ["not JSON", "{", /invalid JSON/],
    ["not a list", "{}", /expected a JSON list/],
    ["bad parser", JSON.stringify([{ ...ok, parser: "xml" }]), /entry 0: parser/],
    ["bad url", JSON.stringify([{ ...ok, url: "ftp://x" }]), /entry 0: url/],
    ["interval too short", JSON.stringify([{ ...ok, interval_ms: 10 }]), /entry 0: interval_ms/],
    [
      "unknown league",
      JSON.stringify([{ ...ok, league: "moon" }]),
      /entry 0: league: Unknown league/,
    ],
    [
      "unknown selector",
      JSON.stringify([{ ...ok, selectors: { rows: "x" } }]),
      /entry 0: selectors/,
    ],
    ["unknown builtin", JSON.stringify([{ builtin: "nope" }]), /unknown builtin "nope"/],
    ["duplicate", JSON.stringify([ok, ok]), /duplicate source "a"/],
  ];
  for (const [name, text, error] of cases) {
    await t.step(name, () => assert.throws(() => parseSources(text), error));
  }
});

Deno.test("loadSourcesFile: names the file it cannot read", async () => {
  await assert.rejects(
    loadSourcesFile("/nonexistent/sources.json"),
    /Cannot read sources file "\/nonexistent/,
  );
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, "[]");
    assert.deepEqual(await loadSourcesFile(path), []);
  } finally {
    await Deno.remove(path);
  }
});
