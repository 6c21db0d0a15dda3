/**
 * Loads the served value-bet policy, `models/value_policy.json` (written by the backtest when
 * asked, or the committed default), and refuses a malformed one with the field at fault.
 * @module
 */
import { z } from "zod";
import {
  DEFAULT_VALUE_POLICY,
  POLICY_MARGIN_METHODS,
  type ValuePolicy,
} from "../domain/value_policy.ts";

/** The file the policy is read from, inside the model directory. */
export const VALUE_POLICY_FILE = "value_policy.json";

const unit = z.number().min(0).max(1);
const ci95 = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo <= hi, {
  message: "Must be [low, high] with low <= high",
});

/** Version 1 of the policy file. */
export const ValuePolicySchema = z
  .strictObject({
    _comment: z.string().optional().describe("What the file is, for readers"),
    version: z.literal(1),
    fair: z.strictObject({
      method: z.literal("pinnacle_or_consensus"),
      margin_removal: z.enum(POLICY_MARGIN_METHODS),
      model_weight: unit,
    }),
    min_edge: z.number().min(0).max(10),
    close_edge: z.number().min(-1).max(10),
    min_odds: z.number().gt(1),
    max_odds: z.number().gt(1),
    markets: z.array(z.enum(["1x2", "totals_2_5", "btts"])).min(1),
    min_books: z.number().int().min(1),
    kelly_fraction: unit,
    kelly_cap: unit,
    buckets: z.array(z.strictObject({
      edge_from: z.number(),
      edge_to: z.number().nullable(),
      picks: z.number().int().min(0),
      mean_clv: z.number(),
      mean_clv_ci95: ci95,
    })),
    chosen_on: z.strictObject({ seasons: z.array(z.string()), leagues: z.array(z.string()) })
      .nullable(),
    evaluated_on: z.strictObject({
      seasons: z.array(z.string()),
      picks: z.number().int().min(0),
      mean_clv: z.number(),
      mean_clv_ci95: ci95,
      roi: z.number(),
      roi_ci95: ci95,
    }).nullable(),
  })
  .superRefine((p, ctx) => {
    if (p.close_edge > p.min_edge) {
      ctx.addIssue({
        code: "custom",
        path: ["close_edge"],
        message: "Must be at most min_edge (alerts would flap)",
      });
    }
    if (p.max_odds < p.min_odds) {
      ctx.addIssue({ code: "custom", path: ["max_odds"], message: "Must be at least min_odds" });
    }
    p.buckets.forEach((b, i) => {
      if (b.edge_to !== null && !(b.edge_to > b.edge_from)) {
        ctx.addIssue({
          code: "custom",
          path: ["buckets", i, "edge_to"],
          message: "Must be above edge_from, or null",
        });
      }
    });
  });

/** A policy file that cannot be served. */
export class ValuePolicyError extends Error {
  override name = "ValuePolicyError";
}

const issueList = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);

/**
 * What the service refuses in a parsed policy file, one "field: reason" per bad field; empty
 * when it would serve it. The backtest checks a policy with this before writing it.
 */
export function valuePolicyIssues(json: unknown): string[] {
  const parsed = ValuePolicySchema.safeParse(json);
  return parsed.success ? [] : issueList(parsed.error);
}

/** Parses policy text; throws {@link ValuePolicyError} naming the file and every bad field. */
export function parseValuePolicy(text: string, source: string): ValuePolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValuePolicyError(
      `Cannot load value policy "${source}": not JSON (${(e as Error).message})`,
    );
  }
  const parsed = ValuePolicySchema.safeParse(json);
  if (!parsed.success) {
    const fields = issueList(parsed.error).join("; ");
    throw new ValuePolicyError(`Cannot load value policy "${source}": ${fields}`);
  }
  const { _comment: _, ...policy } = parsed.data;
  return policy as ValuePolicy;
}

/**
 * The policy of `modelDir`: its `value_policy.json`, or {@link DEFAULT_VALUE_POLICY} when the
 * directory has none. A malformed file throws {@link ValuePolicyError}.
 */
export async function loadValuePolicy(modelDir: string): Promise<ValuePolicy> {
  const path = `${modelDir.replace(/\/+$/, "")}/${VALUE_POLICY_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return DEFAULT_VALUE_POLICY;
    throw new ValuePolicyError(`Cannot load value policy "${path}": ${(e as Error).message}`);
  }
  return parseValuePolicy(text, path);
}

/** Thresholds that replace a policy's own (`VALUE_MIN_EDGE`, `VALUE_CLOSE_EDGE`). */
export interface PolicyOverride {
  minEdge?: number;
  closeEdge?: number;
}

/**
 * The policy with its open and close edges overridden, checked as a policy file is (a close edge
 * above the open one throws {@link ValuePolicyError}). With only `minEdge`, a close edge above
 * it drops to it, so lowering the open edge alone never makes an invalid pair.
 */
export function overridePolicy(policy: ValuePolicy, override: PolicyOverride): ValuePolicy {
  const { minEdge, closeEdge } = override;
  if (minEdge === undefined && closeEdge === undefined) return policy;
  const min_edge = minEdge ?? policy.min_edge;
  const close_edge = closeEdge ?? Math.min(policy.close_edge, min_edge);
  return parseValuePolicy(
    JSON.stringify({ ...policy, min_edge, close_edge }),
    "VALUE_MIN_EDGE / VALUE_CLOSE_EDGE",
  );
}
