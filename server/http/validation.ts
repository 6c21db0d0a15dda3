/**
 * Reading and validating request bodies: malformed JSON is a 400, a schema failure a 422 with
 * field errors, an oversized body a 413 — all as {@link HttpError}.
 * @module
 */
import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "./app_env.ts";
import { HttpError } from "./errors.ts";
import { fieldErrors } from "./schemas.ts";

/** Decoding without `stream` keeps no state between calls, so one decoder serves every request. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Where a validated value came from, named in the 422's message and root path. */
export type InputSource = "body" | "query";

const SOURCE_LABELS: Record<InputSource, string> = { body: "Request body", query: "Query" };

/**
 * Parses `value` with `schema` or throws HttpError 422 `validation_failed` with field errors.
 */
export function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  options: { /** What `value` is. @default "body" */ source?: InputSource } = {},
): z.output<T> {
  const { source = "body" } = options;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = fieldErrors(r.error, `(${source})`);
  const label = SOURCE_LABELS[source];
  throw new HttpError(422, `${label} is invalid: ${details[0].path}: ${details[0].message}`, {
    code: "validation_failed",
    details,
  });
}

/**
 * Reads the request body as JSON. Throws HttpError 415 for a missing or non-JSON content type, 400 for
 * malformed JSON and 413 when the body is larger than `maxBytes` (the body-limit middleware
 * normally answers that earlier).
 */
export async function readJson(c: Context<AppEnv>, maxBytes = 16_384): Promise<unknown> {
  return parseJson(await readJsonText(c, maxBytes));
}

/** Content types accepted as JSON: `application/json` and `application/<anything>+json`. */
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

/**
 * Reads the body of a JSON request as text, checked like {@link readJson} (415, 413, 400 for
 * bytes that are not UTF-8 or an empty body) but not parsed: callers may recognise a body they
 * have already seen before paying for `JSON.parse` and validation.
 */
export async function readJsonText(c: Context<AppEnv>, maxBytes = 16_384): Promise<string> {
  const type = c.req.header("content-type");
  if (type === undefined) {
    throw new HttpError(415, "Expected an application/json body, got no Content-Type");
  }
  if (type !== "application/json" && !JSON_TYPE.test(type.trim())) {
    throw new HttpError(415, `Expected an application/json body, got "${type}"`);
  }
  let text: string;
  try {
    // The raw request, not Hono's body cache: the body is read exactly once here.
    const buf = await c.req.raw.arrayBuffer();
    if (buf.byteLength > maxBytes) {
      throw new HttpError(413, `Request body is larger than ${maxBytes} bytes`);
    }
    text = UTF8.decode(buf);
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, "Request body could not be read as UTF-8 text", {
      code: "malformed_body",
      cause: e,
    });
  }
  if (text.trim() === "") {
    throw new HttpError(400, "Request body is empty", { code: "malformed_json" });
  }
  return text;
}

/** Parses JSON text or throws HttpError 400 `malformed_json`. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `Request body is not valid JSON: ${(e as Error).message}`, {
      code: "malformed_json",
      cause: e,
    });
  }
}
