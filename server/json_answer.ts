/**
 * JSON answers built the way Deno sends them cheapest when the middleware adds fields later.
 *
 * A `Response` made with only `content-type: application/json` (as a plain object) and status
 * 200 stays a plain "static" response inside Deno. Made with more fields, or with a `Headers`
 * object (as Hono's `c.json()` and `c.body()` do), Deno also builds a native copy of it (its
 * fields and its body) at once, which the first field the middleware sets throws away again.
 * Every answer here gets its request id, security and rate-limit fields afterwards, so that copy
 * is pure cost: ~2 µs for `/health/live`, ~15 µs for a 2.5 KB cached prediction
 * (docs/BENCHMARKS.md, eighth session).
 * @module
 */

const JSON_ONLY: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "application/json",
});

/** A JSON answer from its text; `fields` are added after construction. */
export function jsonTextAnswer(
  text: string,
  status = 200,
  fields?: Readonly<Record<string, string>>,
): Response {
  const res = new Response(text, { status, headers: JSON_ONLY });
  if (fields) {
    const headers = res.headers;
    for (const name in fields) headers.set(name, fields[name]);
  }
  return res;
}

/** A JSON answer of `value` (`JSON.stringify`); `fields` are added after construction. */
export function jsonAnswer(
  value: unknown,
  status = 200,
  fields?: Readonly<Record<string, string>>,
): Response {
  return jsonTextAnswer(JSON.stringify(value), status, fields);
}
