/**
 * `POST /api/v1/predictions`: predicts one match. Body: {@link PredictionRequestSchema}.
 * `?include=score_matrix` adds the 11 x 11 `score_matrix` to the answer (left out by default:
 * it is a quarter of the answer and only charts need it).
 * `X-Cache: HIT|MISS` says whether the result came from the prediction cache.
 * @module
 */
import { HttpError } from "../../../server/errors.ts";
import { RequestMemo } from "../../../server/predict/request_memo.ts";
import { PredictionRequestSchema } from "../../../server/schemas.ts";
import { parseJson, readJsonText, validate } from "../../../server/validation.ts";
import type { Handlers } from "../../../server/web/router.ts";

/** The optional parts of an answer a client may ask for with `?include=`. */
const INCLUDES = ["score_matrix"] as const;

const HIT: [string, string][] = [["content-type", "application/json"], ["x-cache", "HIT"]];
const MISS: [string, string][] = [["content-type", "application/json"], ["x-cache", "MISS"]];

/** Bodies that were answered from the cache, by exact text (process-wide, bounded). */
const repeatedBodies = new RequestMemo();

/** Whether `?include=` asks for the score matrix; throws 422 for unknown parts. */
function wantsScoreMatrix(include: string | undefined): boolean {
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

export const handler: Handlers = {
  POST: async (c) => {
    const services = c.get("services");
    const matrix = wantsScoreMatrix(c.req.query("include"));
    const text = await readJsonText(c, services.config.maxBodyBytes);
    const known = repeatedBodies.get(text);
    const request = known ?? validate(PredictionRequestSchema, parseJson(text));
    const result = await services.predictions.predict(request);
    // A body answered from the cache is likely to come again: remember its validation.
    if (result.cached && known === undefined) repeatedBodies.remember(text, request);
    // A plain Response: `c.body()` would build a Headers object and then copy it again.
    return new Response(matrix ? result.withScoreMatrix() : result.json, {
      headers: result.cached ? HIT : MISS,
    });
  },
};
