import assert from "node:assert/strict";
import type { ModelCard } from "./model_card.ts";
import { teamIndex } from "./team_index.ts";

Deno.test("teamIndex: resolves names and aliases ignoring case and spacing", () => {
  const card = {
    teams: [
      { name: "Tottenham Hotspur", aliases: ["Spurs"], state: {} },
      { name: "Arsenal", aliases: [], state: {} },
    ],
  } as unknown as ModelCard;
  const index = teamIndex(card);
  assert.equal(index.resolve(" spurs ")?.name, "Tottenham Hotspur");
  assert.equal(index.resolve("TOTTENHAM   hotspur")?.name, "Tottenham Hotspur");
  assert.equal(index.resolve("Arsenal London"), undefined);
  assert.deepEqual(index.suggest("Arsenl", 1), ["Arsenal"]);
  assert.equal(teamIndex(card), index, "cached per card");
});
