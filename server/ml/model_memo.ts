/**
 * Per-model memo of the work of a prediction that does not depend on the request's odds: the
 * Dixon-Coles score matrix of a fixture (it depends only on the model and the two teams) and
 * the fundamental classifier's last answer for that fixture with its exact feature vector; plus
 * the model's classifiers behind adaptive batching. The memo lives as long as the loaded model
 * object (a registry eviction drops it with the sessions), so a model version can never answer
 * with another version's numbers.
 * @module
 */
import type { Probs1x2 } from "../domain/types.ts";
import { type BatchedClassifier, createBatchedClassifier } from "./batched_classifier.ts";
import type { LoadedModel } from "./loaded_model.ts";

/** The fundamental classifier's answer for one exact feature vector. */
export interface ClassifierAnswer {
  features: readonly number[];
  probs: Probs1x2;
}

/** The request-independent part of a fixture, computed once per (model, home, away). */
export interface FixtureMemo {
  /** Home and away goal rates. */
  lambda: number;
  mu: number;
  /** The score matrix from the ONNX graph (row-major, n x n). Shared: never mutate it. */
  matrix: Float64Array;
  /** 1X2 of the matrix. */
  probs: Probs1x2;
  /** P(total goals > 2.5) of the matrix. */
  over25: number;
  /**
   * The last fundamental answer for this fixture. Its features also depend on the kick-off
   * (rest days), so it is reused only when {@link sameFeatures} holds.
   */
  fundamental?: ClassifierAnswer;
}

/** What is memoised for one loaded model. */
export interface ModelMemo {
  /**
   * Fixture key ({@link fixtureKey}) -> memo. Bounded by the model's team pairs (at most
   * teams x (teams - 1) entries of ~1.2 KB), so it needs no eviction.
   */
  readonly fixtures: Map<string, FixtureMemo>;
  /** The model's classifiers behind adaptive batching (see `batched_classifier.ts`). */
  readonly classifiers: { fundamental: BatchedClassifier; blend?: BatchedClassifier };
}

const memos = new WeakMap<LoadedModel, ModelMemo>();

/** The memo of `model`, created on first use. */
export function memoForModel(model: LoadedModel): ModelMemo {
  let memo = memos.get(model);
  if (!memo) {
    memo = {
      fixtures: new Map(),
      classifiers: {
        fundamental: createBatchedClassifier(model.classifiers.fundamental),
        blend: model.classifiers.blend
          ? createBatchedClassifier(model.classifiers.blend)
          : undefined,
      },
    };
    memos.set(model, memo);
  }
  return memo;
}

/** Key of a fixture: the canonical home and away team names. */
export function fixtureKey(home: string, away: string): string {
  return `${home}\u0000${away}`;
}

/** Whether two feature vectors are exactly equal (same length, same values). */
export function sameFeatures(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return false;
  return true;
}
