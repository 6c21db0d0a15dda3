/**
 * `GET /openapi.json`: the OpenAPI 3.1 document, generated from the zod schemas.
 * @module
 */
import { openApiDocument } from "../server/openapi.ts";
import type { Handlers } from "../server/web/router.ts";

let body: string | undefined;

export const handler: Handlers = {
  GET: (c) => {
    body ??= JSON.stringify(openApiDocument());
    return c.body(body, 200, {
      "content-type": "application/json",
      "cache-control": "public, max-age=300",
    });
  },
};
