/**
 * `models/value_policy.json`: the value-bet policy the service applies, as chosen and scored by
 * the backtest. The serving side validates the same shape.
 * @module
 */
import { z } from "zod";
import { MARGIN_REMOVALS } from "./fair.ts";

const interval = z.tuple([z.number(), z.number()]);

/** The policy file's schema. */
export const valuePolicySchema = z.object({
  version: z.literal(1),
  fair: z.object({
    method: z.literal("pinnacle_or_consensus"),
    margin_removal: z.enum(MARGIN_REMOVALS),
    /** Weight of our model's probability blended with the market's fair probability. */
    model_weight: z.number().min(0).max(1),
  }),
  min_edge: z.number(),
  /** Lower threshold at which a live alert closes (hysteresis, so alerts do not flap). */
  close_edge: z.number(),
  min_odds: z.number(),
  max_odds: z.number(),
  markets: z.array(z.enum(["1x2", "totals_2_5", "btts"])).min(1),
  min_books: z.number().int().min(1),
  kelly_fraction: z.number().min(0).max(1),
  kelly_cap: z.number().min(0).max(1),
  buckets: z.array(z.object({
    edge_from: z.number(),
    edge_to: z.number().nullable(),
    picks: z.number().int(),
    mean_clv: z.number(),
    mean_clv_ci95: interval,
  })),
  chosen_on: z.object({ seasons: z.array(z.string()), leagues: z.array(z.string()) }).nullable(),
  evaluated_on: z.object({
    seasons: z.array(z.string()),
    picks: z.number().int(),
    mean_clv: z.number(),
    mean_clv_ci95: interval,
    roi: z.number(),
    roi_ci95: interval,
  }).nullable(),
});

/** A parsed policy file. */
export type ValuePolicyFile = z.infer<typeof valuePolicySchema>;

/** Reads and validates a policy file; the error says which field is wrong. */
export async function readValuePolicy(path: string): Promise<ValuePolicyFile> {
  const parsed = valuePolicySchema.safeParse(JSON.parse(await Deno.readTextFile(path)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Cannot read policy "${path}": ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}
