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
import {
  displayMatrix,
  marketForecast,
  pricedAnswer,
  showForecast,
} from "../domain/market_answer.ts";
import { averagePrices, booksOf } from "../domain/bookmakers.ts";
import { logisticProbability, logit } from "../domain/logistic.ts";
import type { Prediction, PredictionRequest, RequestOdds } from "../domain/prediction.ts";
import { clampRho } from "../domain/score_matrix.ts";
import type { Probs1x2 } from "../domain/types.ts";
import type { CardTeam, ModelCard } from "./model_card.ts";
import { fixtureKey, type FixtureMemo, memoForModel, sameFeatures } from "./model_memo.ts";
import type { LoadedModel } from "./loaded_model.ts";
import { teamIndex } from "./team_index.ts";
import type { ValuePolicy } from "../domain/value_policy.ts";

/** Settings of {@link predictWithModel}. */
export interface PredictSettings {
  /** How the fair price is made and which value bets are served. */
  policy: ValuePolicy;
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

function checkOdds(odds: RequestOdds | undefined, path = "odds"): void {
  if (!odds) return;
  for (const field of ODDS_FIELDS) {
    const o = odds[field];
    if (o === undefined && field !== "home" && field !== "draw" && field !== "away") continue;
    if (typeof o !== "number" || !Number.isFinite(o) || o <= 1) {
      throw new HttpError(422, `Invalid odds "${field}": expected a decimal price above 1`, {
        code: "invalid_odds",
        details: [{
          path: `${path}.${field}`,
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
  checkOdds(request.odds);
  request.bookmakers?.forEach((b, i) => checkOdds(b, `bookmakers.${i}`));
  const books = booksOf(request);
  // The blend model was trained on one price per selection: the books' average.
  const odds = request.odds ?? averagePrices(books);

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

  // Over 2.5 of the results-only model: Dixon-Coles recalibrated.
  const overFundamental = card.totals
    ? logisticProbability(card.totals.fundamental, [logit(dcPart.over25)])
    : undefined;
  let baseMatrix: number[] | undefined;
  const base = () => baseMatrix ??= fitMatrixTo(matrix, n, fundamental, overFundamental);
  const { probabilities: fair, forecast } = marketForecast(
    {
      outcome: fundamental,
      overUnder25: () => {
        const over = overFundamental ?? totals(base(), n, [2.5])[0].over;
        return { over, under: 1 - over };
      },
      btts: () => btts(base(), n),
    },
    books,
    settings.policy,
  );
  const shown = books.length === 0 ? base() : fitMatrixTo(
    matrix,
    n,
    (fair["1x2"] as Probs1x2 | undefined) ?? fundamental,
    fair.totals_2_5?.[0] ?? overFundamental,
  );
  const derived = showForecast(marketsFromMatrix(shown, n), fair);

  return {
    league: card.league,
    home_team: home.name,
    away_team: away.name,
    kickoff: kickoff.toISOString(),
    ...derived,
    ...pricedAnswer(derived, books, settings.policy, forecast),
    forecast,
    forecasts: {
      results_only: {
        home_win: fundamental[0],
        draw: fundamental[1],
        away_win: fundamental[2],
        over_2_5: books.length === 0
          ? derived.markets.over_under_2_5.over
          : totals(base(), n, [2.5])[0].over,
        btts_yes: books.length === 0 ? derived.markets.btts.yes : btts(base(), n).yes,
      },
      ...(blend ? { blend: { home_win: blend[0], draw: blend[1], away_win: blend[2] } } : {}),
    },
    score_matrix: displayMatrix(shown, n),
    model: {
      version: card.version,
      trained_until: card.trained_until,
      variant: blend ? "blend" : "fundamental",
    },
  };
}
