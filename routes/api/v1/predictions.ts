/**
 * `POST /api/v1/predictions`: predicts one match. Body: {@link PredictionRequestSchema}.
 * `?include=score_matrix` adds the 11 x 11 `score_matrix` to the answer (left out by default:
 * it is a quarter of the answer and only charts need it).
 * `X-Cache: HIT|MISS` says whether the result came from the prediction cache (which admits a
 * request at its second miss by default: `CACHE_ADMISSION`).
 * @module
 */
import { wantsScoreMatrix } from "../../../server/http/include_param.ts";
import { jsonTextAnswer } from "../../../server/http/json_answer.ts";
import { SEND_CHUNKED } from "../../../server/http/chunked_answer.ts";
import { RequestMemo } from "../../../server/predict/request_memo.ts";
import { PredictionRequestSchema } from "../../../server/http/schemas.ts";
import { parseJson, readJsonText, validate } from "../../../server/http/validation.ts";
import type { Handlers } from "../../../server/web/router.ts";

// Answers are 2-3 KB: sent chunked, Deno writes them in one call with their head (server/http/chunked_answer.ts).
const HIT = { fields: { "x-cache": "HIT", [SEND_CHUNKED[0]]: SEND_CHUNKED[1] } };
const MISS = { fields: { "x-cache": "MISS", [SEND_CHUNKED[0]]: SEND_CHUNKED[1] } };

/** Bodies that were answered from the cache, by exact text (process-wide, bounded). */
const repeatedBodies = new RequestMemo();

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
    // Built with its content type only, then given its fields: server/http/json_answer.ts.
    return jsonTextAnswer(
      matrix ? result.withScoreMatrix() : result.json,
      result.cached ? HIT : MISS,
    );
  },
};
