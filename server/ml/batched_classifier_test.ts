import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { createBatchedClassifier } from "./batched_classifier.ts";

const MODEL = new URL("../../models/england-premier-league/fundamental.onnx", import.meta.url);

async function withSession(fn: (session: ort.InferenceSession) => Promise<void>) {
  const session = await ort.InferenceSession.create(await Deno.readFile(MODEL), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  try {
    await fn(session);
  } finally {
    await session.release();
  }
}

function row(k: number): Float64Array {
  // 8 fundamental features, varied per row
  return Float64Array.from({ length: 8 }, (_, j) => Math.sin(k * 7 + j) * (j + 1) * 0.3);
}

async function single(session: ort.InferenceSession, features: Float64Array) {
  const out = await session.run({ features: new ort.Tensor("float64", features, [1, 8]) });
  return Array.from(out.probabilities.data as Float64Array);
}

Deno.test("createBatchedClassifier: plain-array rows give the typed rows' answers", async () => {
  await withSession(async (session) => {
    const classifier = createBatchedClassifier(session);
    const rows = Array.from({ length: 6 }, (_, k) => row(k));
    // Mixed in one batch: plain arrays (the request path's rows) next to typed ones.
    const got = await Promise.all(rows.map((r, k) => classifier.run(k % 2 ? Array.from(r) : r)));
    for (let k = 0; k < rows.length; k++) {
      const want = await single(session, rows[k]);
      got[k].forEach((p, c) => assert.ok(Math.abs(p - want[c]) < 1e-12, `row ${k} class ${c}`));
    }
  });
});

Deno.test("createBatchedClassifier: concurrent rows are batched and match one-row runs", async () => {
  await withSession(async (session) => {
    const batches: number[] = [];
    const classifier = createBatchedClassifier(session, { onBatch: (n) => batches.push(n) });
    const rows = Array.from({ length: 20 }, (_, k) => row(k));
    const got = await Promise.all(rows.map((r) => classifier.run(r)));
    assert.equal(batches[0], 1, "an idle classifier runs the first row at once");
    assert.equal(batches.reduce((a, b) => a + b, 0), 20);
    assert.ok(batches.length < 20, `rows queued behind a run share one: ${batches.join(",")}`);
    for (let k = 0; k < rows.length; k++) {
      const want = await single(session, rows[k]);
      got[k].forEach((p, c) => assert.ok(Math.abs(p - want[c]) < 1e-12, `row ${k} class ${c}`));
      assert.ok(Math.abs(got[k][0] + got[k][1] + got[k][2] - 1) < 1e-9);
    }
  });
});

Deno.test("createBatchedClassifier: maxBatch caps a batch; bad rows reject without stalling", async () => {
  await withSession(async (session) => {
    const batches: number[] = [];
    const classifier = createBatchedClassifier(session, {
      maxBatch: 4,
      onBatch: (n) => batches.push(n),
    });
    await Promise.all(Array.from({ length: 13 }, (_, k) => classifier.run(row(k))));
    assert.ok(batches.every((n) => n <= 4), batches.join(","));
    // a row of the wrong width fails alone; the others still answer
    const results = await Promise.allSettled([
      classifier.run(row(1)),
      classifier.run(row(2)),
      classifier.run(new Float64Array(3)),
      classifier.run(row(3)),
    ]);
    assert.deepEqual(results.map((r) => r.status), [
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    assert.ok((await classifier.run(row(4)))[0] > 0, "still serving after a failure");
  });
  assert.throws(
    () => createBatchedClassifier({} as ort.InferenceSession, { maxBatch: 0 }),
    /Invalid maxBatch "0"/,
  );
});
