/**
 * Walk-forward value-bet backtest on every bookmaker's prices: margin removal, model weight and
 * policy are chosen on earlier seasons only, then the chosen policy is scored on later seasons
 * that never took part in a choice. Closing prices and results only score bets.
 * @module
 */
import { fairProbabilities } from "../../server/domain/margins.ts";
import { closingLineValue } from "../../server/domain/staking.ts";
import type { Outcome, Probs1x2 } from "../../server/domain/types.ts";
import { blendWithMarket } from "../../server/domain/value_bets.ts";
import {
  POLICY_MARGIN_METHODS,
  type PolicyMarginMethod,
  type ValuePolicy,
} from "../../server/domain/value_policy.ts";
import { type BookmakerMatch, PINNACLE } from "../data/bookmaker_prices.ts";
import { logLoss, rps } from "../eval/metrics.ts";
import { bootstrapMeans, type BootstrapOptions, type Interval } from "./bootstrap.ts";
import { type Candidate, matchCandidates } from "./candidates.ts";
import { booksFair } from "./fair.ts";
import {
  bets,
  type ChooseCriterion,
  choosePolicy,
  type KellySettings,
  type Policy,
  type PolicyFigures,
  policyFigures,
  type PolicyGrid,
  type RankedPolicy,
} from "./policy.ts";

/** Our forecast of one match, keyed by match id in {@link ValueBacktestOptions.model}. */
export interface ModelForecast {
  x12?: readonly number[];
  over25?: number;
}

/** Options of {@link runValueBacktest}. */
export interface ValueBacktestOptions extends BootstrapOptions {
  /** Seasons (`2012-13`) the choices are made on; all must end before the evaluation starts. */
  chooseSeasons: readonly string[];
  /** Seasons the chosen policy is scored on. */
  evaluateSeasons: readonly string[];
  /** Score this policy instead of choosing one (for seasons after the committed policy's). */
  policy?: ValuePolicy;
  grid?: PolicyGrid;
  /** How the chooser ranks policies. @default {"z"} */
  criterion?: ChooseCriterion;
  /** Fewest choice-season picks of a chosen policy. @default {500} */
  minChoicePicks?: number;
  /** @default {{ fraction: 0.25, cap: 0.05 }} */
  kelly?: KellySettings;
  /** Walk-forward forecasts of our model, by match id, to blend with the market. */
  model?: ReadonlyMap<string, ModelForecast>;
  /** Blend weights tried on the choice seasons. @default {[0, 0.1, 0.2, 0.3, 0.5]} */
  modelWeights?: readonly number[];
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** Mean scores of a 1X2 forecast. */
export interface ForecastScores {
  matches: number;
  rps: number;
  log_loss: number;
}

/** The market's own figures on a set of seasons. */
export interface MarketFigures {
  matches: number;
  /** RPS and log loss of Pinnacle's opening and closing prices (chosen margin removal). */
  pinnacle_open: ForecastScores;
  pinnacle_close: ForecastScores;
  /** CLV of betting every 1X2 outcome at the average, the market's best, and the best listed book's price. */
  clv_every_outcome: {
    average_price: { bets: number; mean: number; ci95: Interval };
    market_best_price: { bets: number; mean: number; ci95: Interval };
    best_listed_book: { bets: number; mean: number; ci95: Interval };
  };
}

/** One edge bucket of the chosen policy (its other filters applied) on the choice seasons. */
export interface EdgeBucket {
  edge_from: number;
  edge_to: number | null;
  picks: number;
  mean_clv: number;
  mean_clv_ci95: Interval;
  roi: number;
  roi_ci95: Interval;
}

/** The value-bet report (`value_bets` is the headline the issue asks for). */
export interface ValueBacktestReport {
  choose_seasons: string[];
  evaluate_seasons: string[];
  leagues: string[];
  matches: { choice: number; evaluation: number };
  resampling: { unit: "match-day"; resamples: number; seed: number };
  criterion: ChooseCriterion | "fixed";
  margin_removal: {
    chosen: PolicyMarginMethod;
    choice_scores: Record<PolicyMarginMethod, ForecastScores>;
  };
  model_weight: { chosen: number; choice_log_loss: Record<string, number> };
  policy: Policy;
  close_edge: number;
  /** The grid's best policies on the choice seasons (at most 15), best first. */
  choice_ranking: RankedPolicy[];
  choice: PolicyFigures | null;
  buckets: EdgeBucket[];
  evaluation: PolicyFigures;
  evaluation_by_season: Record<string, PolicyFigures>;
  evaluation_by_league: Record<string, PolicyFigures>;
  evaluation_by_market: Record<string, PolicyFigures>;
  market: { choice: MarketFigures | null; evaluation: MarketFigures };
  value_bets: {
    policy: Policy;
    count: number;
    hit_rate: number;
    hit_rate_ci95: Interval;
    mean_clv: number;
    mean_clv_ci95: Interval;
    roi: number;
    roi_ci95: Interval;
    kelly_roi: number;
  };
  policy_file: ValuePolicy;
}

/** Edge buckets reported with the policy, lower bounds; the last is open-ended. */
export const BUCKET_EDGES = [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15];

const outcomeOf = (m: BookmakerMatch): Outcome => {
  const d = m.match.homeGoals - m.match.awayGoals;
  return d > 0 ? 0 : d === 0 ? 1 : 2;
};

function scores(forecasts: { probs: number[]; outcome: Outcome }[]): ForecastScores {
  let r = 0, l = 0;
  for (const f of forecasts) {
    r += rps(f.probs as Probs1x2, f.outcome);
    l += logLoss(f.probs as Probs1x2, f.outcome);
  }
  const n = forecasts.length;
  return { matches: n, rps: r / n, log_loss: l / n };
}

/**
 * Throws unless the two season lists are disjoint and every choice match kicked off before the
 * first evaluation match: the guard that keeps later results out of every choice.
 */
export function assertWalkForward(
  matches: readonly BookmakerMatch[],
  chooseSeasons: readonly string[],
  evaluateSeasons: readonly string[],
): void {
  const overlap = chooseSeasons.filter((s) => evaluateSeasons.includes(s));
  if (overlap.length > 0) {
    throw new Error(`Seasons "${overlap.join(", ")}" cannot be both chosen on and evaluated on`);
  }
  let lastChoice = -Infinity, firstEvaluation = Infinity;
  for (const m of matches) {
    const t = m.match.kickoff.getTime();
    if (chooseSeasons.includes(m.season)) lastChoice = Math.max(lastChoice, t);
    if (evaluateSeasons.includes(m.season)) firstEvaluation = Math.min(firstEvaluation, t);
  }
  if (lastChoice >= firstEvaluation) {
    throw new Error(
      `Choice seasons must end before the evaluation starts: a choice match kicks off on ${
        new Date(lastChoice).toISOString().slice(0, 10)
      }, an evaluation match on ${new Date(firstEvaluation).toISOString().slice(0, 10)}`,
    );
  }
}

/** 1X2 scores of the market's fair opening probability by each margin-removal method. */
export function marginRemovalScores(
  matches: readonly BookmakerMatch[],
): Record<PolicyMarginMethod, ForecastScores> {
  const out = {} as Record<PolicyMarginMethod, ForecastScores>;
  for (const method of POLICY_MARGIN_METHODS) {
    const forecasts = [];
    for (const m of matches) {
      const fair = booksFair(m.x12, method);
      if (fair) forecasts.push({ probs: fair.probabilities, outcome: outcomeOf(m) });
    }
    out[method] = scores(forecasts);
  }
  return out;
}

function everyOutcomeClv(
  matches: readonly BookmakerMatch[],
  method: PolicyMarginMethod,
  price: (m: BookmakerMatch) => number[] | undefined,
  options: BootstrapOptions,
) {
  const clv: number[] = [], days: string[] = [];
  for (const m of matches) {
    const offered = price(m), close = m.pinnacleClose.x12;
    if (!offered || !close) continue;
    const fair = fairProbabilities(close, method);
    const day = m.match.kickoff.toISOString().slice(0, 10);
    for (let k = 0; k < 3; k++) {
      clv.push(closingLineValue(offered[k], fair[k]));
      days.push(day);
    }
  }
  const [ci95] = bootstrapMeans([clv], days, options);
  return { bets: clv.length, mean: clv.reduce((a, b) => a + b, 0) / clv.length, ci95 };
}

/** The market's own figures on some matches. */
export function marketFigures(
  matches: readonly BookmakerMatch[],
  method: PolicyMarginMethod,
  options: BootstrapOptions = {},
): MarketFigures {
  const open = [], close = [];
  for (const m of matches) {
    const o = m.x12.find((b) => b.book === PINNACLE), c = m.pinnacleClose.x12;
    if (!o || !c) continue;
    open.push({ probs: fairProbabilities(o.prices, method), outcome: outcomeOf(m) });
    close.push({ probs: fairProbabilities(c, method), outcome: outcomeOf(m) });
  }
  const bestListed = (m: BookmakerMatch) =>
    m.x12.length === 0
      ? undefined
      : [0, 1, 2].map((k) => Math.max(...m.x12.map((b) => b.prices[k])));
  return {
    matches: open.length,
    pinnacle_open: scores(open),
    pinnacle_close: scores(close),
    clv_every_outcome: {
      average_price: everyOutcomeClv(matches, method, (m) => m.aggregate.avgX12, options),
      market_best_price: everyOutcomeClv(matches, method, (m) => m.aggregate.maxX12, options),
      best_listed_book: everyOutcomeClv(matches, method, bestListed, options),
    },
  };
}

function modelWeightLogLoss(
  matches: readonly BookmakerMatch[],
  method: PolicyMarginMethod,
  model: ReadonlyMap<string, ModelForecast>,
  weight: number,
): number {
  const forecasts = [];
  for (const m of matches) {
    const fair = booksFair(m.x12, method), f = model.get(m.match.id)?.x12;
    if (!fair || !f) continue;
    forecasts.push({ probs: blendWithMarket(f, fair, weight), outcome: outcomeOf(m) });
  }
  return scores(forecasts).log_loss;
}

/** Candidates bet by `policy` except for its edge threshold. */
function sameFilters(policy: Policy): (c: Candidate) => boolean {
  const open = { ...policy, min_edge: -Infinity };
  return (c) => bets(open, c);
}

/** CLV per edge bucket of the candidates (already filtered), with bootstrap intervals. */
export function edgeBuckets(
  candidates: readonly Candidate[],
  options: BootstrapOptions = {},
  edges: readonly number[] = BUCKET_EDGES,
): EdgeBucket[] {
  const out: EdgeBucket[] = [];
  edges.forEach((from, i) => {
    const to = i + 1 < edges.length ? edges[i + 1] : null;
    const picks = candidates.filter((c) => c.edge >= from && (to === null || c.edge < to));
    if (picks.length === 0) return;
    const f = policyFigures(picks, options);
    out.push({
      edge_from: from,
      edge_to: to,
      picks: f.picks,
      mean_clv: f.mean_clv,
      mean_clv_ci95: f.mean_clv_ci95,
      roi: f.roi,
      roi_ci95: f.roi_ci95,
    });
  });
  return out;
}

/**
 * The edge at which a live alert closes: half the opening threshold below it (at least half a
 * point), kept only if the choice-season candidates in that band still beat the closing line on
 * average; otherwise alerts close at the opening threshold itself.
 */
export function closeEdge(policy: Policy, candidates: readonly Candidate[]): number {
  const band = Math.max(policy.min_edge / 2, 0.005);
  const lower = Math.round((policy.min_edge - band) * 10_000) / 10_000;
  const keep = sameFilters(policy);
  const inBand = candidates.filter((c) => keep(c) && c.edge >= lower && c.edge < policy.min_edge);
  if (inBand.length === 0) return policy.min_edge;
  const clv = inBand.reduce((a, c) => a + c.clv, 0) / inBand.length;
  return clv > 0 ? lower : policy.min_edge;
}

function groupFigures(
  picks: readonly Candidate[],
  key: (c: Candidate) => string,
  options: BootstrapOptions & { kelly?: KellySettings },
): Record<string, PolicyFigures> {
  const groups = new Map<string, Candidate[]>();
  for (const c of picks) {
    const k = key(c);
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return Object.fromEntries(
    [...groups.keys()].sort().map((k) => [k, policyFigures(groups.get(k)!, options)]),
  );
}

function candidatesOf(
  matches: readonly BookmakerMatch[],
  method: PolicyMarginMethod,
  options: ValueBacktestOptions,
  weight: number,
): Candidate[] {
  return matches.flatMap((m) =>
    matchCandidates(m, {
      marginRemoval: method,
      model: options.model?.get(m.match.id),
      modelWeight: weight,
    })
  );
}

/** Runs the value-bet backtest. */
export function runValueBacktest(
  matches: readonly BookmakerMatch[],
  options: ValueBacktestOptions,
): ValueBacktestReport {
  const { chooseSeasons, evaluateSeasons, policy: fixed, onProgress } = options;
  const bootstrap = { resamples: options.resamples ?? 2000, seed: options.seed ?? 19 };
  const kelly = options.kelly ??
    { fraction: fixed?.kelly_fraction ?? 0.25, cap: fixed?.kelly_cap ?? 0.05 };
  if (evaluateSeasons.length === 0) throw new Error("Cannot backtest: no evaluation season given");
  if (!fixed && chooseSeasons.length === 0) {
    throw new Error("Cannot backtest: give choice seasons, or a policy to evaluate");
  }
  assertWalkForward(matches, chooseSeasons, evaluateSeasons);
  const choice = matches.filter((m) => chooseSeasons.includes(m.season));
  const evaluation = matches.filter((m) => evaluateSeasons.includes(m.season));
  if (evaluation.length === 0) {
    throw new Error(`Cannot backtest: no match of seasons "${evaluateSeasons.join(", ")}" loaded`);
  }
  if (!fixed && choice.length === 0) {
    throw new Error(`Cannot backtest: no match of seasons "${chooseSeasons.join(", ")}" loaded`);
  }

  // Everything below up to the evaluation sees `choice` only.
  onProgress?.("margin removal", 0, 1);
  const marginScores = marginRemovalScores(choice);
  const method: PolicyMarginMethod = fixed?.fair.margin_removal ??
    POLICY_MARGIN_METHODS.reduce((a, b) =>
      marginScores[b].log_loss < marginScores[a].log_loss ? b : a
    );
  onProgress?.("margin removal", 1, 1);

  const weights = options.model ? options.modelWeights ?? [0, 0.1, 0.2, 0.3, 0.5] : [0];
  const weightLogLoss: Record<string, number> = {};
  if (options.model && !fixed) {
    for (const w of weights) {
      weightLogLoss[String(w)] = modelWeightLogLoss(choice, method, options.model, w);
    }
  }
  const weight = fixed?.fair.model_weight ??
    weights.reduce((a, b) =>
      (weightLogLoss[String(b)] ?? Infinity) < (weightLogLoss[String(a)] ?? Infinity) ? b : a
    );

  const choiceCandidates = candidatesOf(choice, method, options, weight);
  let policy: Policy, ranking: RankedPolicy[] = [], closeAt: number, buckets: EdgeBucket[];
  if (fixed) {
    policy = {
      min_edge: fixed.min_edge,
      min_odds: fixed.min_odds,
      max_odds: fixed.max_odds,
      markets: fixed.markets.filter((m) => m !== "btts") as Policy["markets"],
      min_books: fixed.min_books,
    };
    closeAt = fixed.close_edge;
    buckets = fixed.buckets.map((b) => ({ ...b, roi: NaN, roi_ci95: [NaN, NaN] }));
  } else {
    const chosen = choosePolicy(choiceCandidates, {
      grid: options.grid,
      criterion: options.criterion,
      minPicks: options.minChoicePicks,
      forbiddenSeasons: new Set(evaluateSeasons),
      onProgress: (d, t) => onProgress?.("choosing policy", d, t),
    });
    policy = chosen.chosen.policy;
    ranking = chosen.ranking.slice(0, 15);
    closeAt = closeEdge(policy, choiceCandidates);
    buckets = edgeBuckets(choiceCandidates.filter(sameFilters(policy)), bootstrap);
  }
  const figures = { ...bootstrap, kelly };
  const choicePicks = choiceCandidates.filter((c) => bets(policy, c));
  const choiceFigures = choice.length ? policyFigures(choicePicks, figures) : null;

  onProgress?.("evaluating", 0, 1);
  const evalPicks = candidatesOf(evaluation, method, options, weight).filter((c) =>
    bets(policy, c)
  );
  const evalFigures = policyFigures(evalPicks, figures);
  const leagues = [...new Set(matches.map((m) => m.match.league))].sort();
  const policyFile: ValuePolicy = {
    version: 1,
    fair: { method: "pinnacle_or_consensus", margin_removal: method, model_weight: weight },
    min_edge: policy.min_edge,
    close_edge: closeAt,
    min_odds: policy.min_odds,
    max_odds: policy.max_odds,
    markets: policy.markets,
    min_books: policy.min_books,
    kelly_fraction: kelly.fraction,
    kelly_cap: kelly.cap,
    buckets: buckets.map(({ edge_from, edge_to, picks, mean_clv, mean_clv_ci95 }) => ({
      edge_from,
      edge_to,
      picks,
      mean_clv,
      mean_clv_ci95,
    })),
    chosen_on: fixed ? fixed.chosen_on : {
      seasons: [...chooseSeasons],
      leagues: [...new Set(choice.map((m) => m.match.league))].sort(),
    },
    evaluated_on: {
      seasons: [...evaluateSeasons],
      picks: evalFigures.picks,
      mean_clv: evalFigures.mean_clv,
      mean_clv_ci95: evalFigures.mean_clv_ci95,
      roi: evalFigures.roi,
      roi_ci95: evalFigures.roi_ci95,
    },
  };
  const report: ValueBacktestReport = {
    choose_seasons: [...chooseSeasons],
    evaluate_seasons: [...evaluateSeasons],
    leagues,
    matches: { choice: choice.length, evaluation: evaluation.length },
    resampling: { unit: "match-day", ...bootstrap },
    criterion: fixed ? "fixed" : options.criterion ?? "z",
    margin_removal: { chosen: method, choice_scores: marginScores },
    model_weight: { chosen: weight, choice_log_loss: weightLogLoss },
    policy,
    close_edge: closeAt,
    choice_ranking: ranking,
    choice: choiceFigures,
    buckets,
    evaluation: evalFigures,
    evaluation_by_season: groupFigures(evalPicks, (c) => c.season, figures),
    evaluation_by_league: groupFigures(evalPicks, (c) => c.league, figures),
    evaluation_by_market: groupFigures(evalPicks, (c) => c.market, figures),
    market: {
      choice: choice.length ? marketFigures(choice, method, bootstrap) : null,
      evaluation: marketFigures(evaluation, method, bootstrap),
    },
    value_bets: {
      policy,
      count: evalFigures.picks,
      hit_rate: evalFigures.hit_rate,
      hit_rate_ci95: evalFigures.hit_rate_ci95,
      mean_clv: evalFigures.mean_clv,
      mean_clv_ci95: evalFigures.mean_clv_ci95,
      roi: evalFigures.roi,
      roi_ci95: evalFigures.roi_ci95,
      kelly_roi: evalFigures.kelly_roi,
    },
    policy_file: policyFile,
  };
  onProgress?.("evaluating", 1, 1);
  return report;
}
