/**
 * `POST /api/v1/predictions`: predicts one match. Body: {@link PredictionRequestSchema}.
 * `?include=score_matrix` adds the 11 x 11 `score_matrix` to the answer (left out by default:
 * it is a quarter of the answer and only charts need it).
 * `X-Cache: HIT|MISS` says whether the result came from the prediction cache (which admits a
 * request at its second miss by default: `CACHE_ADMISSION`).
 * @module
 */
import { wantsScoreMatrix } from "../../../server/include_param.ts";
import { ONE_WRITE } from "../../../server/one_write.ts";
import { RequestMemo } from "../../../server/predict/request_memo.ts";
import { PredictionRequestSchema } from "../../../server/schemas.ts";
import { parseJson, readJsonText, validate } from "../../../server/validation.ts";
import type { Handlers } from "../../../server/web/router.ts";

// Only the content type at construction: Deno then keeps the answer as a plain "static" response.
// With more fields it would also build a native copy of the answer (its fields and the 2-3 KB
// text), which the first field the middleware adds throws away again (~3 µs per answer).
const JSON_ONLY = { "content-type": "application/json" };

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
    // A plain Response: `c.body()` would build a Headers object and then copy it again.
    const res = new Response(matrix ? result.withScoreMatrix() : result.json, {
      headers: JSON_ONLY,
    });
    const headers = res.headers;
    headers.set("x-cache", result.cached ? "HIT" : "MISS");
    // Answers are 2-3 KB: sent chunked, Deno writes them in one call with their head
    // (server/one_write.ts).
    headers.set(ONE_WRITE[0], ONE_WRITE[1]);
    return res;
  },
};
