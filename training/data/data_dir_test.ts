import assert from "node:assert/strict";
import { hasSharedData, sharedDataDir } from "./data_dir.ts";

Deno.test("sharedDataDir: defaults to ../shared/data beside the project and honours SABISCORE_DATA", () => {
  const saved = Deno.env.get("SABISCORE_DATA");
  try {
    Deno.env.delete("SABISCORE_DATA");
    const root = new URL("../../", import.meta.url).pathname;
    assert.equal(sharedDataDir(), new URL("../shared/data", new URL(root, "file:///")).pathname);
    Deno.env.set("SABISCORE_DATA", "/elsewhere/data");
    assert.equal(sharedDataDir(), "/elsewhere/data");
  } finally {
    if (saved === undefined) Deno.env.delete("SABISCORE_DATA");
    else Deno.env.set("SABISCORE_DATA", saved);
  }
});

Deno.test("hasSharedData: false for a folder without leagues/", async () => {
  assert.equal(await hasSharedData("/nonexistent/data"), false);
  assert.equal(await hasSharedData(new URL("../testdata", import.meta.url).pathname), false);
});
