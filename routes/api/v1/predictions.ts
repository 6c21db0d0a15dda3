/**
 * `POST /api/v1/predictions`: predicts one match. Body: {@link PredictionRequestSchema}.
 * `X-Cache: HIT|MISS` says whether the result came from the prediction cache.
 * @module
 */
import { PredictionRequestSchema } from "../../../server/schemas.ts";
import { readJson, validate } from "../../../server/validation.ts";
import type { Handlers } from "../../../server/web/router.ts";

export const handler: Handlers = {
  POST: async (c) => {
    const services = c.get("services");
    const body = await readJson(c, services.config.maxBodyBytes);
    const request = validate(PredictionRequestSchema, body);
    const result = await services.predictions.predict(request);
    return c.body(result.json, 200, {
      "content-type": "application/json",
      "x-cache": result.cached ? "HIT" : "MISS",
    });
  },
};
