/**
 * The model card `models/<league>/model.json`: what a trained league model is, the team state
 * snapshot the engine needs, the ONNX files it consists of and their checksums.
 * @module
 */
import { z } from "zod";

/** A plain file name inside the league folder: no separators, no `..`, no hidden files. */
const fileName = z.string().regex(
  /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
  "must be a plain file name",
).refine((s) => !s.includes(".."), 'must not contain ".."');

const finite = z.number().refine(Number.isFinite, "must be a finite number");

const logisticParams = z.object({
  mean: z.array(finite),
  scale: z.array(finite),
  weights: z.array(finite),
  bias: finite,
});

const classifierRef = z.object({
  file: fileName,
  features: z.array(z.string().min(1)).min(1),
});

const teamSchema = z.object({
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)),
  state: z.record(z.string(), finite),
});

/** zod schema of a model card. */
export const modelCardSchema = z.object({
  league: z.string().min(1),
  name: z.string().min(1),
  country: z.string().min(1),
  version: z.string().min(1),
  created_at: z.string().min(1),
  trained_until: z.string().min(1),
  training_window: z.object({
    from: z.string(),
    to: z.string(),
    matches: z.number().int().nonnegative(),
  }),
  hyperparameters: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()),
  dixon_coles: z.object({
    intercept: finite,
    home_advantage: finite,
    rho: finite,
    max_goals: z.number().int().min(1).max(30),
    promoted: z.object({ attack: finite, defence: finite }),
  }),
  teams: z.array(teamSchema).min(2),
  classifiers: z.object({ fundamental: classifierRef, blend: classifierRef.optional() }),
  /** Over/under 2.5 calibrators (binary logistic over logits; see training/ensemble/logistic.ts). */
  totals: z.object({ fundamental: logisticParams, blend: logisticParams.optional() }).optional(),
  score_matrix: z.object({ file: fileName }),
  files: z.record(
    fileName,
    z.object({
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits"),
      bytes: z.number().int().nonnegative(),
    }),
  ),
}).superRefine((card, ctx) => {
  const refs: [string[], string][] = [
    [["score_matrix", "file"], card.score_matrix.file],
    [["classifiers", "fundamental", "file"], card.classifiers.fundamental.file],
  ];
  if (card.classifiers.blend) {
    refs.push([["classifiers", "blend", "file"], card.classifiers.blend.file]);
  }
  for (const [path, file] of refs) {
    if (!Object.hasOwn(card.files, file)) {
      ctx.addIssue({ code: "custom", path, message: `"${file}" is not listed in files` });
    }
  }
  const seen = new Map<string, string>();
  card.teams.forEach((team, i) => {
    for (const label of [team.name, ...team.aliases]) {
      const key = label.trim().toLowerCase();
      const owner = seen.get(key);
      if (owner !== undefined && owner !== team.name) {
        ctx.addIssue({
          code: "custom",
          path: ["teams", i],
          message: `name or alias "${label}" is also used by "${owner}"`,
        });
      }
      seen.set(key, team.name);
    }
  });
});

/** A league's model card (`models/<league>/model.json`). */
export type ModelCard = z.infer<typeof modelCardSchema>;

/** A team in a model card, with its state snapshot (dc_attack, elo, last_match...). */
export type CardTeam = ModelCard["teams"][number];

/**
 * Validates parsed JSON as a model card. Throws an Error naming the first bad field, e.g.
 * `Invalid model card: "dixon_coles.rho" must be a finite number`.
 */
export function parseModelCard(json: unknown): ModelCard {
  const result = modelCardSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
  throw new Error(`Invalid model card: "${path}" ${issue.message}`);
}
