/**
 * `GET /docs`: API documentation rendered on the server from the OpenAPI document, with a form
 * to try `POST /api/v1/predictions`. Works offline: no CDN; its only script is `/docs.js`.
 * @module
 */
import { openApiDocument } from "../server/http/openapi.ts";
import { renderDocsPage } from "../server/http/docs_page.ts";
import type { Handlers } from "../server/web/router.ts";

let html: string | undefined;

export const handler: Handlers = {
  GET: (c) => {
    html ??= renderDocsPage(openApiDocument());
    return c.html(html, 200, { "cache-control": "public, max-age=300" });
  },
};
