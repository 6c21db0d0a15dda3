/**
 * One match prediction with a loaded league model: team lookup, Dixon-Coles score matrix and
 * classifiers through ONNX, then markets, fair odds and value bets. The score matrix and the
 * fundamental answer of a fixture are memoised per loaded model (`model_memo.ts`); classifier
 * runs of concurrent requests are batched (`batched_classifier.ts`), so an uncached request
 * with odds usually costs one shared blend run.
 * @module
 */
import * as ort from "onnxruntime-node";
import { HttpError, unknownTeamError } from "../http/errors.ts";
import { computeFeatures, selectFeatureValues } from "../domain/features.ts";
import { btts, fitMatrixTo, marketsFromMatrix, outcome1x2, totals } from "../domain/markets.ts";
import { displayMatrix, fairOdds, pricedSelections } from "../domain/market_answer.ts";
import { logisticProbability, logit } from "../domain/logistic.ts";
import type { Prediction, PredictionRequest, RequestOdds } from "../domain/prediction.ts";
import { clampRho } from "../domain/score_matrix.ts";
import type { Probs1x2 } from "../domain/types.ts";
import type { CardTeam, ModelCard } from "./model_card.ts";
import { fixtureKey, type FixtureMemo, memoForModel, sameFeatures } from "./model_memo.ts";
import type { LoadedModel } from "./loaded_model.ts";
import { teamIndex } from "./team_index.ts";
import type { KellyOptions } from "../domain/staking.ts";
import { findValueBets, type PricedSelection } from "../domain/value_bets.ts";

/** Settings of {@link predictWithModel}. */
export interface PredictSettings {
  /** Smallest edge p*o - 1 that makes a value bet. */
  valueThreshold: number;
  kelly: KellyOptions;
  kickoff: Date;
  signal?: AbortSignal;
}

const ODDS_FIELDS = [
  "home",
  "draw",
  "away",
  "over_2_5",
  "under_2_5",
  "btts_yes",
  "btts_no",
] as const;

function resolveTeam(card: ModelCard, name: string, field: "home_team" | "away_team"): CardTeam {
  if (typeof name !== "string" || name.trim() === "") {
    throw new HttpError(422, `Missing ${field}`, {
      code: "validation_failed",
      details: [{ path: field, message: "Must not be empty" }],
    });
  }
  const index = teamIndex(card);
  const team = index.resolve(name);
  if (team) return team;
  throw unknownTeamError({
    field,
    team: name,
    league: card.league,
    suggestions: index.suggest(name, 3),
  });
}

function checkOdds(odds: RequestOdds | undefined): void {
  if (!odds) return;
  for (const field of ODDS_FIELDS) {
    const o = odds[field];
    if (o === undefined && field !== "home" && field !== "draw" && field !== "away") continue;
    if (typeof o !== "number" || !Number.isFinite(o) || o <= 1) {
      throw new HttpError(422, `Invalid odds "${field}": expected a decimal price above 1`, {
        code: "invalid_odds",
        details: [{
          path: `odds.${field}`,
          message: "Must be a decimal price above 1",
          value: o,
        }],
      });
    }
  }
}

function pickFeatures(card: ModelCard, all: Record<string, number>, names: string[]) {
  try {
    return selectFeatureValues(all, names);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`Model "${card.league}" (version "${card.version}") cannot be served: ${why}`, {
      cause: err,
    });
  }
}

/** Goal rates and the Dixon-Coles score matrix of a fixture, through the ONNX graph. */
async function dixonColes(
  model: LoadedModel,
  home: CardTeam,
  away: CardTeam,
): Promise<FixtureMemo> {
  const { card } = model;
  const dc = card.dixon_coles;
  const attack = (t: CardTeam) => t.state.dc_attack ?? dc.promoted.attack;
  const defence = (t: CardTeam) => t.state.dc_defence ?? dc.promoted.defence;
  const lambda = Math.exp(dc.intercept + attack(home) + defence(away) + dc.home_advantage);
  const mu = Math.exp(dc.intercept + attack(away) + defence(home));
  const n = dc.max_goals + 1;
  const out = await model.scoreMatrix.run({
    rates: new ort.Tensor("float64", Float64Array.of(lambda, mu), [1, 2]),
    // Keeps every tau factor positive for extreme rates (a negative cell would poison markets).
    rho: new ort.Tensor("float64", Float64Array.of(clampRho(lambda, mu, dc.rho)), [1, 1]),
  });
  const matrix = out.matrix.data as Float64Array;
  if (matrix.length !== n * n) {
    throw new Error(`Model "${card.league}" score matrix has ${matrix.length} cells, not ${n * n}`);
  }
  return {
    lambda,
    mu,
    matrix,
    probs: outcome1x2(matrix, n),
    over25: totals(matrix, n, [2.5])[0].over,
  };
}

/**
 * Predicts one match with a loaded model. Throws HttpError 422 for unknown or identical teams
 * and bad odds; AbortError when `signal` aborts between graph runs.
 */
export async function predictWithModel(
  model: LoadedModel,
  request: PredictionRequest,
  settings: PredictSettings,
): Promise<Prediction> {
  const { card } = model;
  const { signal, kickoff } = settings;
  const home = resolveTeam(card, request.home_team, "home_team");
  const away = resolveTeam(card, request.away_team, "away_team");
  if (home === away) {
    throw new HttpError(422, `Home and away team are both "${home.name}"`, {
      code: "same_team",
      details: [{ path: "away_team", message: "Must differ from home_team" }],
    });
  }
  const odds = request.odds;
  checkOdds(odds);

  const memo = memoForModel(model);
  const fixture = fixtureKey(home.name, away.name);
  let dcPart = memo.fixtures.get(fixture);
  if (!dcPart) {
    dcPart = await dixonColes(model, home, away);
    signal?.throwIfAborted();
    memo.fixtures.set(fixture, dcPart);
  }
  const { lambda, mu, matrix } = dcPart;
  const n = card.dixon_coles.max_goals + 1;
  const features = computeFeatures({
    home: home.state,
    away: away.state,
    dc: { probs: dcPart.probs, lambda, mu },
    kickoff,
    odds,
  });
  const fundRef = card.classifiers.fundamental;
  const fundFeatures = pickFeatures(card, features, fundRef.features);
  let fundamental: Probs1x2;
  if (dcPart.fundamental && sameFeatures(dcPart.fundamental.features, fundFeatures)) {
    fundamental = dcPart.fundamental.probs;
  } else {
    fundamental = await memo.classifiers.fundamental.run(fundFeatures);
    signal?.throwIfAborted();
    dcPart.fundamental = { features: fundFeatures, probs: fundamental };
  }
  let blend: Probs1x2 | undefined;
  const blendRef = card.classifiers.blend;
  if (odds && blendRef && memo.classifiers.blend) {
    blend = await memo.classifiers.blend.run(pickFeatures(card, features, blendRef.features));
    signal?.throwIfAborted();
  }

  // Over 2.5: Dixon-Coles recalibrated, or blended with the offered over/under prices.
  const dcOver = dcPart.over25;
  const overFundamental = card.totals
    ? logisticProbability(card.totals.fundamental, [logit(dcOver)])
    : undefined;
  let overShown = overFundamental;
  if (card.totals?.blend && odds?.over_2_5 !== undefined && odds.under_2_5 !== undefined) {
    const marketOver = (1 / odds.over_2_5) / (1 / odds.over_2_5 + 1 / odds.under_2_5);
    overShown = logisticProbability(card.totals.blend, [logit(dcOver), logit(marketOver)]);
  }
  const shown = fitMatrixTo(matrix, n, blend ?? fundamental, overShown);
  const derived = marketsFromMatrix(shown, n);

  let selections: PricedSelection[] = [];
  if (odds) {
    // Value is judged on the fundamental model alone: the blend already contains the price.
    // Its matrix is only needed for priced goals markets.
    let baseMatrix: number[] | undefined;
    const base = () => baseMatrix ??= fitMatrixTo(matrix, n, fundamental, overFundamental);
    selections = pricedSelections(odds, {
      outcome: fundamental,
      overUnder25: () => totals(base(), n, [2.5])[0],
      btts: () => btts(base(), n),
    });
  }

  return {
    league: card.league,
    home_team: home.name,
    away_team: away.name,
    kickoff: kickoff.toISOString(),
    ...derived,
    fair_odds: fairOdds(derived),
    value_bets: findValueBets(selections, settings.valueThreshold, settings.kelly),
    score_matrix: displayMatrix(shown, n),
    model: {
      version: card.version,
      trained_until: card.trained_until,
      variant: blend ? "blend" : "fundamental",
    },
  };
}
