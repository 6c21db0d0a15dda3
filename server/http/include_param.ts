/**
 * The `?include=` query parameter of the endpoints that answer predictions: parts of an answer
 * left out unless asked for. One part today, `score_matrix` (the 11 x 11 grid of exact-score
 * probabilities, a quarter of an answer, which only charts need).
 * @module
 */
import type { Prediction } from "../domain/prediction.ts";
import { HttpError } from "./errors.ts";

/** The optional parts a client may ask for with `?include=`. */
export const INCLUDES = ["score_matrix"] as const;

/** Whether `?include=` (comma-separated) asks for the score matrix; HttpError 422 for unknown parts. */
export function wantsScoreMatrix(include: string | undefined): boolean {
  if (include === undefined || include === "") return false;
  let matrix = false;
  for (const part of include.split(",")) {
    const name = part.trim();
    if (name === "score_matrix") matrix = true;
    else if (name !== "") {
      const message = `Unknown part "${name}"; expected ${
        INCLUDES.map((i) => `"${i}"`).join(", ")
      }`;
      throw new HttpError(422, `Query is invalid: include: ${message}`, {
        code: "validation_failed",
        details: [{ path: "include", message }],
      });
    }
  }
  return matrix;
}

/** A prediction as answered: without `score_matrix` unless `matrix`. */
export function answerOf(
  prediction: Prediction,
  matrix: boolean,
): Prediction | Omit<Prediction, "score_matrix"> {
  if (matrix) return prediction;
  const { score_matrix: _matrix, ...answer } = prediction;
  return answer;
}
