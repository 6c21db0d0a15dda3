/**
 * Server-rendered HTML of the API docs page (`/docs`), from an OpenAPI 3.1 document.
 * @module
 */
import type { JsonObject } from "./openapi.ts";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

// A CommonMark code span: a run of backticks, then anything up to a run of the same length.
const CODE_SPAN = /(?<!`)(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;

/**
 * Renders the inline Markdown of an OpenAPI `description` or `summary` (CommonMark, which the
 * specification names for these fields) as escaped HTML. The document's texts use code spans
 * only, so those are rendered: `` `x` `` becomes `<code>x</code>`; everything else is text.
 */
export function inlineMarkdown(text: string): string {
  let html = "";
  let at = 0;
  for (const m of text.matchAll(CODE_SPAN)) {
    html += escapeHtml(text.slice(at, m.index));
    // CommonMark strips one space each side when both are there (so a span can start with `).
    const inner = m[2];
    const padded = inner.startsWith(" ") && inner.endsWith(" ") && inner.trim() !== "";
    const code = padded ? inner.slice(1, -1) : inner;
    html += `<code>${escapeHtml(code)}</code>`;
    at = m.index + m[0].length;
  }
  return html + escapeHtml(text.slice(at));
}

/** The text of inline Markdown without its markup (for attributes such as a meta description). */
function plainText(text: string): string {
  return text.replace(CODE_SPAN, (_m, _ticks, code: string) => code.trim());
}

const METHODS = ["get", "post", "put", "patch", "delete"];

function refName(schema: unknown): string | undefined {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref?.split("/").pop();
}

function operation(path: string, method: string, op: JsonObject): string {
  const responses = Object.entries((op.responses ?? {}) as Record<string, JsonObject>)
    .map(([status, r]) => {
      const schema = refName(
        (r.content as Record<string, { schema?: unknown }> | undefined)?.["application/json"]
          ?.schema,
      );
      return `<li><code>${escapeHtml(status)}</code> ${
        inlineMarkdown(String(r.description ?? ""))
      }${
        schema ? ` — <a href="#schema-${escapeHtml(schema)}">${escapeHtml(schema)}</a>` : ""
      }</li>`;
    })
    .join("");
  const body = (op.requestBody as JsonObject | undefined)?.content as
    | Record<string, { schema?: unknown; example?: unknown }>
    | undefined;
  const bodySchema = refName(body?.["application/json"]?.schema);
  const example = body?.["application/json"]?.example;
  const params = ((op.parameters ?? []) as JsonObject[])
    .map((p) =>
      `<li><code>${escapeHtml(String(p.name))}</code> (${escapeHtml(String(p.in))}) ${
        inlineMarkdown(String(p.description ?? ""))
      }</li>`
    )
    .join("");
  return `<section class="op" id="op-${escapeHtml(String(op.operationId ?? path))}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${
    escapeHtml(path)
  }</code></h3>
<p>${inlineMarkdown(String(op.summary ?? ""))}</p>
${op.description ? `<p class="desc">${inlineMarkdown(String(op.description))}</p>` : ""}
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ""}
${
    bodySchema
      ? `<h4>Request body</h4><p><a href="#schema-${escapeHtml(bodySchema)}">${
        escapeHtml(bodySchema)
      }</a></p>`
      : ""
  }
${
    example !== undefined
      // Focusable so a keyboard can scroll an example wider than a phone (axe:
      // scrollable-region-focusable).
      ? `<pre class="example" tabindex="0" role="region" aria-label="Example request body">${
        escapeHtml(JSON.stringify(example, null, 2))
      }</pre>`
      : ""
  }
<h4>Responses</h4><ul>${responses}</ul>
</section>`;
}

function tryForm(): string {
  return `<section class="try" id="try">
<h2>Try it: POST /api/v1/predictions</h2>
<form id="try-form" method="post" action="/api/v1/predictions">
<label>League <input name="league" value="england-premier-league" required maxlength="64"></label>
<label>Home team <input name="home_team" value="Manchester United" required maxlength="100"></label>
<label>Away team <input name="away_team" value="Liverpool" required maxlength="100"></label>
<fieldset><legend>Odds (optional)</legend>
<label>Home <input name="odds.home" inputmode="decimal" placeholder="2.60"></label>
<label>Draw <input name="odds.draw" inputmode="decimal" placeholder="3.40"></label>
<label>Away <input name="odds.away" inputmode="decimal" placeholder="2.70"></label>
</fieldset>
<button type="submit">Predict</button>
</form>
<p id="try-status" role="status"></p>
<pre id="try-result" class="result"></pre>
</section>`;
}

/** Renders the docs page of `doc`. */
export function renderDocsPage(doc: JsonObject): string {
  const info = (doc.info ?? {}) as JsonObject;
  const paths = (doc.paths ?? {}) as Record<string, Record<string, JsonObject>>;
  const ops: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      ops.push(operation(path, method, op));
      toc.push(
        `<li><a href="#op-${escapeHtml(String(op.operationId ?? path))}">${method.toUpperCase()} ${
          escapeHtml(path)
        }</a></li>`,
      );
    }
  }
  const schemas = Object.entries(
    ((doc.components as JsonObject | undefined)?.schemas ?? {}) as Record<string, unknown>,
  ).map(([name, schema]) =>
    `<details id="schema-${escapeHtml(name)}"><summary>${escapeHtml(name)}</summary><pre>${
      escapeHtml(JSON.stringify(schema, null, 2))
    }</pre></details>`
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(String(info.title ?? "API"))} docs</title>
<meta name="description" content="${escapeHtml(plainText(String(info.description ?? "")))}">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/docs.css">
<script type="module" src="/docs.js"></script>
</head>
<body>
<header><h1>${escapeHtml(String(info.title ?? "API"))} <small>v${
    escapeHtml(String(info.version ?? ""))
  }</small></h1>
<p>${inlineMarkdown(String(info.description ?? ""))}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${
    escapeHtml(String(doc.openapi ?? ""))
  })</p></header>
<nav><h2>Operations</h2><ul>${toc.join("")}</ul><p><a href="#try">Try a prediction</a></p></nav>
<main>
${ops.join("\n")}
${tryForm()}
<section id="schemas"><h2>Schemas</h2>
${schemas}
</section>
</main>
</body>
</html>
`;
}
