/**
 * Parsers of environment variable values for `config.ts`: booleans, bounded numbers, strings
 * with defaults, one of a set, URLs (a Redis URL's password never appears in a message).
 * @module
 */
import { redisUrlProblem } from "../fleet/redis_url.ts";
import { z } from "zod";

export const TRUE = new Set(["1", "true", "yes", "on"]);
export const FALSE = new Set(["0", "false", "no", "off", ""]);

export function bool(defaultValue: boolean) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return defaultValue;
      const s = v.trim().toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      ctx.addIssue({ code: "custom", message: `Expected true or false, got "${v}"` });
      return z.NEVER;
    });
}

export function int(defaultValue: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return defaultValue;
      const n = Number(v.trim());
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: "custom",
          message: `Expected an integer from ${min} to ${max}, got "${v}"`,
        });
        return z.NEVER;
      }
      return n;
    });
}

export function optionalString() {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
}

export function stringWithDefault(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? defaultValue : v.trim()));
}

/** One of `values` (case-insensitive), `values[0]` when unset. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return optionalString().transform((v, ctx) => {
    if (v === undefined) return values[0] as T[number];
    const s = v.toLowerCase();
    if ((values as readonly string[]).includes(s)) return s as T[number];
    ctx.addIssue({ code: "custom", message: `Expected ${values.join(" or ")}, got "${v}"` });
    return z.NEVER;
  });
}

export function url(protocols: readonly string[]) {
  return optionalString().superRefine((v, ctx) => {
    if (v === undefined) return;
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: `Expected a URL, got "${v}"` });
      return;
    }
    if (!protocols.includes(parsed.protocol)) {
      ctx.addIssue({
        code: "custom",
        message: `Expected a ${protocols.join(" or ")} URL, got "${v}"`,
      });
    }
  });
}

/** A `redis://` or `rediss://` URL; messages never repeat its password. */
export function redisUrl() {
  return optionalString().superRefine((v, ctx) => {
    const problem = v === undefined ? null : redisUrlProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/** A decimal from `min` to `max`, undefined when unset. */
export function optionalDecimal(min: number, max: number) {
  return optionalString().transform((v, ctx) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({
        code: "custom",
        message: `Expected a number from ${min} to ${max}, got "${v}"`,
      });
      return z.NEVER;
    }
    return n;
  });
}
