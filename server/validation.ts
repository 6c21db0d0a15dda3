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

/** Parses `value` with `schema` or throws HttpError 422 `validation_failed` with field errors. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = fieldErrors(r.error);
  throw new HttpError(422, `Request body is invalid: ${details[0].path}: ${details[0].message}`, {
    code: "validation_failed",
    details,
  });
}

/**
 * Reads the request body as JSON. Throws HttpError 415 for a non-JSON content type, 400 for
 * malformed JSON and 413 when the body is larger than `maxBytes` (the body-limit middleware
 * normally answers that earlier).
 */
export async function readJson(c: Context<AppEnv>, maxBytes = 16_384): Promise<unknown> {
  const type = c.req.header("content-type");
  if (type !== undefined && !/^application\/([\w.+-]*\+)?json\b/i.test(type.trim())) {
    throw new HttpError(415, `Expected an application/json body, got "${type}"`);
  }
  let text: string;
  try {
    const buf = await c.req.arrayBuffer();
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
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `Request body is not valid JSON: ${(e as Error).message}`, {
      code: "malformed_json",
      cause: e,
    });
  }
}
