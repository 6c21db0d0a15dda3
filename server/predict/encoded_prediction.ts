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
  /** Where the kick-off's value sits in `json`, found on first use; -1 when there is none. */
  #kickoffAt: { start: number; end: number } | undefined;

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

  /**
   * `text` (this entry's `json` or `withScoreMatrix()`) with `kickoff` in place of the one it
   * was computed for: a cached answer to a request without kick-off is sent with its own time.
   * The kick-off comes before every market, so its place is the same in both texts.
   */
  withKickoff(text: string, kickoff: string): string {
    this.#kickoffAt ??= kickoffPlace(this.json);
    const { start, end } = this.#kickoffAt;
    if (start < 0) return text;
    return `${text.slice(0, start)}${JSON.stringify(kickoff)}${text.slice(end)}`;
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

const KICKOFF_FIELD = '"kickoff":';

/** The span of the kick-off's JSON string value in an answer's text. */
function kickoffPlace(json: string): { start: number; end: number } {
  const at = json.indexOf(KICKOFF_FIELD);
  if (at < 0) return { start: -1, end: -1 };
  const start = at + KICKOFF_FIELD.length;
  return { start, end: json.indexOf('"', start + 1) + 1 };
}
