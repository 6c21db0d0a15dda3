/**
 * JSON answers built the way Deno sends them cheapest when the middleware adds fields later.
 *
 * A `Response` made with only `content-type: application/json` (as a plain object) and status
 * 200 stays a plain "static" response inside Deno. Made with more fields, or with a `Headers`
 * object (as Hono's `c.json()` and `c.body()` do), Deno also builds a native copy of it (its
 * fields and its body) at once, which the first field the middleware sets throws away again.
 * Every answer here gets its request id, security and rate-limit fields afterwards, so that copy
 * is pure cost: ~2 µs for `/health/live`, ~15 µs for a 2.5 KB cached prediction
 * (main-thread CPU per request, A/B on a bare `Deno.serve` and with `deno task bench http`).
 * @module
 */

const JSON_ONLY: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "application/json",
});

/** Options of {@link jsonTextAnswer} and {@link jsonAnswer}. */
export interface JsonAnswerOptions {
  /** HTTP status. @default 200 */
  status?: number;
  /** Fields added after construction (the content type is always set). @default none */
  fields?: Readonly<Record<string, string>>;
}

/** A JSON answer from its text. */
export function jsonTextAnswer(text: string, options: JsonAnswerOptions = {}): Response {
  const res = new Response(text, { status: options.status ?? 200, headers: JSON_ONLY });
  const fields = options.fields;
  if (fields) {
    const headers = res.headers;
    for (const name in fields) headers.set(name, fields[name]);
  }
  return res;
}

/** A JSON answer of `value` (`JSON.stringify`). */
export function jsonAnswer(value: unknown, options?: JsonAnswerOptions): Response {
  return jsonTextAnswer(JSON.stringify(value), options);
}
