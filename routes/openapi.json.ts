/**
 * `GET /openapi.json`: the OpenAPI 3.1 document, generated from the zod schemas.
 * @module
 */
import { jsonTextAnswer } from "../server/http/json_answer.ts";
import { openApiDocument } from "../server/http/openapi.ts";
import type { Handlers } from "../server/web/router.ts";

let body: string | undefined;
const CACHED = { fields: { "cache-control": "public, max-age=300" } };

export const handler: Handlers = {
  GET: () => {
    body ??= JSON.stringify(openApiDocument());
    return jsonTextAnswer(body, CACHED);
  },
};
