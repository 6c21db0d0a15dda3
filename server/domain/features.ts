/**
 * Match features fed to the 1X2 classifiers, computed the same way in training and serving.
 *
 * Team state keys (a model card's `teams[].state`, all optional):
 * `elo` (Elo rating, default 1500), `pi_home` / `pi_away` (Pi-ratings, Constantinou & Fenton
 * 2013, default 0), `form` (recent points-per-game style form, default 0) and `last_match`
 * (epoch days of the team's previous match).
 * @module
 */
import type { RequestOdds } from "./prediction.ts";
import type { Probs1x2 } from "./types.ts";

/** The state snapshot of one team (a model card's `teams[].state`). */
export type TeamState = Record<string, number>;

/** Inputs of {@link computeFeatures}. */
export interface FeatureInput {
  home: TeamState;
  away: TeamState;
  /** The Dixon-Coles model's 1X2 and goal rates for this match. */
  dc: { probs: Probs1x2; lambda: number; mu: number };
  kickoff: Date;
  /** Offered 1X2 prices; when present the market features are added. */
  odds?: Pick<RequestOdds, "home" | "draw" | "away">;
}

/**
 * Features of the fundamental classifier, in order (chosen on the 2015-16..2018-19 seasons,
 * before the reported ones):
 * - `dc_lr_home`, `dc_lr_away`: log(p_home / p_draw) and log(p_away / p_draw) of Dixon-Coles,
 *   the natural scale of a multinomial logit (a log-linear pool);
 * - `dc_log_lambda`, `dc_log_mu`: log goal rates (low-scoring games draw more);
 * - `elo_diff`: home Elo - away Elo, in hundreds of points;
 * - `pi_gd`: expected goal difference of the home side's home pi-rating minus that of the
 *   away side's away pi-rating (Constantinou & Fenton 2013);
 * - `form_diff`: home form - away form;
 * - `rest_days_diff`: home rest days - away rest days, each capped at {@link MAX_REST_DAYS}
 *   (a team without `last_match` counts as fully rested).
 */
export const FEATURES_FUNDAMENTAL: readonly string[] = [
  "dc_lr_home",
  "dc_lr_away",
  "dc_log_lambda",
  "dc_log_mu",
  "elo_diff",
  "pi_gd",
  "form_diff",
  "rest_days_diff",
];

/**
 * Features of the blend classifier: Dixon-Coles and the ratings plus the market's view,
 * `mkt_lr_home` and `mkt_lr_away` = log(odds_draw / odds_home) and log(odds_draw / odds_away),
 * the same log-ratios of the implied probabilities (the margin cancels in the ratio).
 */
export const FEATURES_BLEND: readonly string[] = [
  "dc_lr_home",
  "dc_lr_away",
  "elo_diff",
  "pi_gd",
  "mkt_lr_home",
  "mkt_lr_away",
];

/** Rest beyond this many days counts as fully rested. */
export const MAX_REST_DAYS = 14;

const DAY_MS = 86_400_000;
const DEFAULT_ELO = 1500;

function restDays(state: TeamState, kickoffDays: number): number {
  const last = state.last_match;
  if (last === undefined || !Number.isFinite(last)) return MAX_REST_DAYS;
  return Math.min(MAX_REST_DAYS, Math.max(0, kickoffDays - last));
}

/** Constantinou & Fenton (2013): expected goal difference of a pi-rating, 10^(|r|/3) - 1. */
function piGoalDiff(rating: number): number {
  return Math.sign(rating) * (10 ** (Math.abs(rating) / 3) - 1);
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/**
 * Computes every feature this version knows for one match (the blend ones only when odds are
 * given). Callers pick the names a classifier was trained on. Throws a RangeError on odds that
 * are not decimal prices above 1.
 */
export function computeFeatures(input: FeatureInput): Record<string, number> {
  const { home, away, dc } = input;
  const kickoffDays = input.kickoff.getTime() / DAY_MS;
  const features: Record<string, number> = {
    dc_p_home: dc.probs[0],
    dc_p_draw: dc.probs[1],
    dc_p_away: dc.probs[2],
    dc_xg_diff: dc.lambda - dc.mu,
    elo_diff: ((home.elo ?? DEFAULT_ELO) - (away.elo ?? DEFAULT_ELO)) / 100,
    pi_diff: (home.pi_home ?? 0) - (away.pi_away ?? 0),
    form_diff: (home.form ?? 0) - (away.form ?? 0),
    rest_days_diff: restDays(home, kickoffDays) - restDays(away, kickoffDays),
    // Log-ratios against the draw: the natural scale of a multinomial logit, so the classifier
    // can pool Dixon-Coles (and the market) log-linearly.
    dc_lr_home: Math.log(dc.probs[0] / dc.probs[1]),
    dc_lr_away: Math.log(dc.probs[2] / dc.probs[1]),
    dc_log_lambda: Math.log(dc.lambda),
    dc_log_mu: Math.log(dc.mu),
    pi_gd: piGoalDiff(home.pi_home ?? 0) - piGoalDiff(away.pi_away ?? 0),
  };
  if (input.odds) {
    const { home: oh, draw: od, away: oa } = input.odds;
    for (const [name, o] of [["home", oh], ["draw", od], ["away", oa]] as const) {
      if (!(Number.isFinite(o) && o > 1)) {
        throw new RangeError(`Invalid ${name} odds "${o}": expected a decimal price above 1`);
      }
    }
    const sum = 1 / oh + 1 / od + 1 / oa;
    features.mkt_logit_home = logit(1 / oh / sum);
    features.mkt_logit_away = logit(1 / oa / sum);
    features.mkt_lr_home = Math.log(od / oh);
    features.mkt_lr_away = Math.log(od / oa);
  }
  return features;
}

/**
 * Picks `names` from computed features, in order, as a plain array: the request path's choice,
 * because every typed array is allocated outside V8's heap (~1 µs each in Deno, however small).
 * Throws an Error naming the first feature the record lacks (a model trained on features this
 * version does not compute).
 */
export function selectFeatureValues(
  features: Record<string, number>,
  names: readonly string[],
): number[] {
  const out: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const v = features[names[i]];
    if (v === undefined) throw new Error(`Unknown feature "${names[i]}"`);
    out.push(v);
  }
  return out;
}

/** {@link selectFeatureValues} as a `Float64Array` (training builds its matrices from these). */
export function selectFeatures(
  features: Record<string, number>,
  names: readonly string[],
): Float64Array {
  return Float64Array.from(selectFeatureValues(features, names));
}
