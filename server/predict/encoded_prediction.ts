/**
 * A prediction serialised for the API once, when it is computed: the JSON answer without the
 * 11 x 11 `score_matrix` (which clients ask for with `?include=score_matrix`), so every cache
 * hit sends the same text without serialising again.
 * @module
 */
import type { Prediction } from "../domain/prediction.ts";

/** The API answers of one prediction. */
export class EncodedPrediction {
  /** League key of the prediction. */
  readonly league: string;
  /** The JSON answer without `score_matrix`. */
  readonly json: string;
  /**
   * The score matrix, row-major, as one array of unboxed doubles: the cache keeps every entry
   * in the old generation, where `number[][]` costs ~2.8 KB (a boxed number per cell, an array
   * per row) and this ~1 KB in one object.
   */
  #cells: number[];
  #size: number;
  #withMatrix: string | undefined;

  /** Serialises `prediction`; `json` is its JSON text without `score_matrix` when known. */
  constructor(prediction: Prediction, json?: string) {
    this.league = prediction.league;
    const rows = prediction.score_matrix;
    this.#size = rows.length;
    const cells: number[] = [];
    for (const row of rows) for (const v of row) cells.push(+v);
    this.#cells = cells;
    this.json = json ?? jsonWithoutMatrix(prediction);
  }

  /** The score matrix as rows (home goals) of columns (away goals). */
  scoreMatrix(): number[][] {
    const rows: number[][] = [];
    const cells = this.#cells;
    const width = this.#size === 0 ? 0 : cells.length / this.#size;
    for (let i = 0; i < this.#size; i++) rows.push(cells.slice(i * width, (i + 1) * width));
    return rows;
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
  const { score_matrix: _matrix, ...answer } = prediction;
  return JSON.stringify(answer);
}
