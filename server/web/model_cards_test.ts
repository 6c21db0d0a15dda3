import assert from "node:assert/strict";
import { cachedModelCards } from "./model_cards.ts";

const FIXTURE = new URL("./testdata/models", import.meta.url).pathname;

Deno.test("cachedModelCards: one read per minute per folder; a changed card shows after that", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const [league] = [...Deno.readDirSync(FIXTURE)].filter((e) => e.isDirectory).map((e) => e.name);
    await Deno.mkdir(`${dir}/${league}`);
    await Deno.copyFile(`${FIXTURE}/${league}/model.json`, `${dir}/${league}/model.json`);
    const t0 = 1_000_000;
    const first = await cachedModelCards(dir, t0);
    assert.equal(first.length, 1);
    await Deno.remove(`${dir}/${league}/model.json`);
    assert.equal((await cachedModelCards(dir, t0 + 59_000)).length, 1, "kept within the minute");
    assert.equal((await cachedModelCards(dir, t0 + 61_000)).length, 0, "read again after it");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
