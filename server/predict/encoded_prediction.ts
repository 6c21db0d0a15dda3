/**
 * A prediction serialised for the API once, when it is computed: the JSON answer without the
 * 11 x 11 `score_matrix` (which clients ask for with `?include=score_matrix`), so every cache
 * hit sends the same text without serialising again.
 * @module
 */
import type { Prediction } from "../domain/prediction.ts";
import { answerOf } from "../http/include_param.ts";

/** The API answers of one prediction. */
export class EncodedPrediction {
  /** League key of the prediction. */
  readonly league: string;
  /** The JSON answer without `score_matrix`. */
  readonly json: string;
  /** The rows of the score matrix: arrays of unboxed doubles, kept as they are. */
  #matrix: number[][];
  #withMatrix: string | undefined;

  /** Serialises `prediction`; `json` is its JSON text without `score_matrix` when known. */
  constructor(prediction: Prediction, json?: string) {
    this.league = prediction.league;
    this.#matrix = prediction.score_matrix;
    this.json = json ?? jsonWithoutMatrix(prediction);
  }

  /** The score matrix as rows (home goals) of columns (away goals); callers must not change it. */
  scoreMatrix(): readonly (readonly number[])[] {
    return this.#matrix;
  }

  /** The JSON answer with `score_matrix` as its last field (built on first use). */
  withScoreMatrix(): string {
    return this.#withMatrix ??= `${this.json.slice(0, -1)},"score_matrix":${
      JSON.stringify(this.scoreMatrix())
    }}`;
  }
}

/** The JSON text of `prediction` without its `score_matrix`. */
export function jsonWithoutMatrix(prediction: Prediction): string {
  return JSON.stringify(answerOf(prediction, false));
}
