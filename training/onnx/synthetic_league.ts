/**
 * A small, hand-parameterised league model with real ONNX graphs, for tests and benchmarks of
 * the serving path when no trained model is at hand. Its numbers are plausible, not fitted.
 * @module
 */
import type { ClassifierParams } from "../../server/domain/classifier.ts";
import { FEATURES_BLEND, FEATURES_FUNDAMENTAL } from "../../server/domain/features.ts";
import type { ModelCard } from "../../server/ml/model_card.ts";
import { classifierGraph, scoreMatrixGraph, serializeModel } from "./graphs.ts";
import { writeModelFolder } from "./write_model.ts";

/** Options of {@link writeSyntheticLeague}. */
export interface SyntheticLeagueOptions {
  /**
   * League key (also the folder name).
   * @default "england-premier-league"
   */
  league?: string;
  /**
   * Whether to include a blend classifier (fundamental + market features).
   * @default true
   */
  blend?: boolean;
  /**
   * Model version written to the card.
   * @default "synthetic-1"
   */
  version?: string;
}

const DAY = 86_400_000;

/** Teams of the synthetic league: name, aliases, attack, defence, elo. `Sunderland` is promoted. */
const TEAMS: [string, string[], number | null, number | null, number][] = [
  ["Arsenal", ["Arsenal FC", "The Gunners"], 0.32, -0.3, 1820],
  ["Aston Villa", ["Villa"], 0.12, -0.05, 1700],
  ["Brentford", [], 0.02, 0.08, 1640],
  ["Chelsea", ["Chelsea FC"], 0.22, -0.12, 1760],
  ["Everton", [], -0.18, 0.02, 1610],
  ["Liverpool", ["Liverpool FC"], 0.38, -0.2, 1830],
  ["Manchester City", ["Man City", "Man. City"], 0.42, -0.25, 1860],
  ["Manchester United", ["Man United", "Man Utd"], 0.05, 0.04, 1680],
  ["Newcastle United", ["Newcastle"], 0.15, -0.1, 1720],
  ["Tottenham Hotspur", ["Tottenham", "Spurs"], 0.18, 0.06, 1700],
  ["Sunderland", ["Sunderland AFC"], null, null, 1520],
];

function indexOf(names: readonly string[], name: string): number {
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`Synthetic model: feature "${name}" is not in the feature list`);
  return i;
}

function unitParams(f: number) {
  return { mean: new Array<number>(f).fill(0), scale: new Array<number>(f).fill(1) };
}

/** A plausible MLR over {@link FEATURES_FUNDAMENTAL}: mostly the Dixon-Coles log-ratios, plus Elo. */
export function syntheticFundamentalParams(): ClassifierParams {
  const f = FEATURES_FUNDAMENTAL.length;
  const weights = Array.from({ length: f }, () => [0, 0, 0]);
  const at = (name: string) => indexOf(FEATURES_FUNDAMENTAL, name);
  // Logits (lr_home, 0, lr_away) reproduce the Dixon-Coles 1X2 exactly.
  weights[at("dc_lr_home")] = [1, 0, 0];
  weights[at("dc_lr_away")] = [0, 0, 1];
  weights[at("elo_diff")] = [0.05, 0, -0.05]; // hundreds of Elo points
  weights[at("form_diff")] = [0.1, 0, -0.1];
  return { kind: "mlr", ...unitParams(f), weights, bias: [0, 0, 0], temperature: 1.05 };
}

/** A plausible tanh MLP over {@link FEATURES_BLEND}, leaning on the market features. */
export function syntheticBlendParams(): ClassifierParams {
  const f = FEATURES_BLEND.length;
  const h = 4;
  const hidden = Array.from({ length: f }, () => new Array<number>(h).fill(0));
  const at = (name: string) => indexOf(FEATURES_BLEND, name);
  hidden[at("dc_lr_home")][0] = 1;
  hidden[at("dc_lr_away")][1] = 1;
  hidden[at("mkt_lr_home")][2] = 0.5;
  hidden[at("mkt_lr_away")][3] = 0.5;
  return {
    kind: "mlp",
    ...unitParams(f),
    hidden: { weights: hidden, bias: [0, 0, 0, 0], activation: "tanh" },
    weights: [[1.5, 0, 0], [0, 0, 1.5], [1.5, 0, -0.5], [-0.5, 0, 1.5]],
    bias: [0.1, 0, -0.1],
  };
}

/**
 * Writes a complete model folder `dir/<league>/` (card + score-matrix and classifier ONNX
 * files) and returns its card.
 */
export async function writeSyntheticLeague(
  dir: string,
  options: SyntheticLeagueOptions = {},
): Promise<ModelCard> {
  const league = options.league ?? "england-premier-league";
  const blend = options.blend ?? true;
  const trainedUntil = Date.UTC(2025, 4, 25);
  const lastMatchDays = Math.floor(trainedUntil / DAY);
  const artefacts: Record<string, Uint8Array> = {
    "score_matrix.onnx": serializeModel(scoreMatrixGraph({ maxGoals: 10 })),
    "fundamental.onnx": serializeModel(classifierGraph(syntheticFundamentalParams())),
  };
  if (blend) artefacts["blend.onnx"] = serializeModel(classifierGraph(syntheticBlendParams()));
  return await writeModelFolder(`${dir}/${league}`, {
    league,
    name: "Synthetic " + league,
    country: league.split("-")[0],
    version: options.version ?? "synthetic-1",
    created_at: new Date(trainedUntil + DAY).toISOString(),
    trained_until: new Date(trainedUntil).toISOString().slice(0, 10),
    training_window: { from: "2020-08-01", to: "2025-05-25", matches: 0 },
    hyperparameters: { synthetic: true },
    metrics: {},
    dixon_coles: {
      intercept: 0.12,
      home_advantage: 0.25,
      rho: -0.08,
      max_goals: 10,
      promoted: { attack: -0.25, defence: 0.2 },
    },
    teams: TEAMS.map(([name, aliases, attack, defence, elo], i) => ({
      name,
      aliases,
      state: {
        ...(attack === null ? {} : { dc_attack: attack }),
        ...(defence === null ? {} : { dc_defence: defence }),
        elo,
        pi_home: (elo - 1700) / 200,
        pi_away: (elo - 1720) / 200,
        form: ((i * 7) % 11) / 10 - 0.5,
        last_match: lastMatchDays - (i % 4),
      },
    })),
    classifiers: {
      fundamental: { file: "fundamental.onnx", features: [...FEATURES_FUNDAMENTAL] },
      ...(blend ? { blend: { file: "blend.onnx", features: [...FEATURES_BLEND] } } : {}),
    },
    score_matrix: { file: "score_matrix.onnx" },
  }, artefacts);
}
