import assert from "node:assert/strict";
import { fixtureKey, memoForModel, sameFeatures } from "./model_memo.ts";
import type { LoadedModel } from "./loaded_model.ts";

function fakeModel(): LoadedModel {
  // memoForModel only wraps the sessions; nothing is run here
  const session = {} as LoadedModel["scoreMatrix"];
  return {
    card: {} as LoadedModel["card"],
    scoreMatrix: session,
    classifiers: { fundamental: session },
  };
}

Deno.test("memoForModel: one memo per loaded model, never shared between models", () => {
  const a = fakeModel(), b = fakeModel();
  assert.equal(memoForModel(a), memoForModel(a));
  assert.notEqual(memoForModel(a), memoForModel(b));
  memoForModel(a).fixtures.set(fixtureKey("Arsenal", "Chelsea"), {
    lambda: 1,
    mu: 1,
    matrix: new Float64Array(1),
    probs: [0.4, 0.3, 0.3],
    over25: 0.5,
  });
  assert.equal(memoForModel(a).fixtures.size, 1);
  assert.equal(memoForModel(b).fixtures.size, 0);
  assert.equal(
    memoForModel(a).classifiers.blend,
    undefined,
    "no blend session, no blend classifier",
  );
});

Deno.test("fixtureKey and sameFeatures: equal only for equal inputs", () => {
  assert.notEqual(fixtureKey("Arsenal", "Chelsea"), fixtureKey("Chelsea", "Arsenal"));
  assert.notEqual(fixtureKey("A B", "C"), fixtureKey("A", "B C"));
  const x = Float64Array.of(0.1, -2, 1e-17);
  assert.ok(sameFeatures(x, Float64Array.of(0.1, -2, 1e-17)));
  assert.ok(!sameFeatures(x, Float64Array.of(0.1, -2, 2e-17)));
  assert.ok(!sameFeatures(x, Float64Array.of(0.1, -2)));
  assert.ok(!sameFeatures(Float64Array.of(0), Float64Array.of(-0)), "-0 is another input");
  assert.ok(sameFeatures(Float64Array.of(NaN), Float64Array.of(NaN)));
});
