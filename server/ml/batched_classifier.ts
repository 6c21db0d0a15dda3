/**
 * Adaptive batching of a 1X2 classifier's ONNX runs. Every `session.run` pays a fixed cost (an
 * event-loop hop, N-API tensor conversion, output allocation) far above the maths of these tiny
 * graphs, so rows that arrive while a run is in flight are queued and sent together, as one
 * `[rows, features]` tensor, when it finishes. An idle classifier runs a lone row at once: no
 * row ever waits for a timer, and batches only form under load.
 * @module
 */
import * as ort from "onnxruntime-node";
import type { Probs1x2 } from "../domain/types.ts";

/** Runs feature rows through a classifier with inputs `features` [N, k], outputs `probabilities` [N, 3]. */
export interface BatchedClassifier {
  /** The 1X2 probabilities of one feature row. */
  run(features: ArrayLike<number>): Promise<Probs1x2>;
}

/** Options of {@link createBatchedClassifier}. */
export interface BatchedClassifierOptions {
  /**
   * Most rows sent in one run.
   * @default 64
   */
  maxBatch?: number;
  /** Called with the size of every batch run (e.g. for metrics or tests). @default none */
  onBatch?: (rows: number) => void;
}

interface Pending {
  features: ArrayLike<number>;
  resolve: (p: Probs1x2) => void;
  reject: (e: unknown) => void;
}

/** Creates a {@link BatchedClassifier} over `session`. */
export function createBatchedClassifier(
  session: ort.InferenceSession,
  options: BatchedClassifierOptions = {},
): BatchedClassifier {
  const maxBatch = options.maxBatch ?? 64;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new RangeError(`Invalid maxBatch "${maxBatch}": expected a positive integer`);
  }
  let queue: Pending[] = [];
  let running = false;

  async function runBatch(batch: Pending[]): Promise<void> {
    const width = batch[0].features.length;
    for (const p of batch) {
      if (p.features.length !== width) {
        // Rows of another width cannot share a tensor: run them on their own.
        await Promise.all(batch.map((one) => runBatch([one])));
        return;
      }
    }
    // One tensor buffer per batch: rows arrive as plain arrays (a typed array apiece would cost
    // an allocation outside V8's heap per row).
    const data = new Float64Array(batch.length * width);
    batch.forEach((p, r) => data.set(p.features, r * width));
    options.onBatch?.(batch.length);
    try {
      const out = await session.run({
        features: new ort.Tensor("float64", data, [batch.length, width]),
      });
      const probs = out.probabilities.data as Float64Array;
      if (probs.length !== 3 * batch.length) {
        throw new Error(
          `Classifier returned ${probs.length} probabilities for ${batch.length} rows`,
        );
      }
      batch.forEach((p, r) => p.resolve([probs[3 * r], probs[3 * r + 1], probs[3 * r + 2]]));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
        queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
        await runBatch(batch);
      }
    } finally {
      running = false;
    }
  }

  return {
    run(features: ArrayLike<number>): Promise<Probs1x2> {
      return new Promise<Probs1x2>((resolve, reject) => {
        queue.push({ features, resolve, reject });
        if (!running) void drain();
      });
    },
  };
}
