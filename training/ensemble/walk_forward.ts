/**
 * Walk-forward ensemble: on a fixed schedule, refit the 1X2 classifiers (fundamental and market
 * blend) and the over/under 2.5 calibrators on every row that kicked off before the refit
 * instant, then predict the rows until the next refit. Rows come from `buildDataset`, so every
 * input is itself walk-forward.
 * @module
 */
import type { ClassifierParams } from "../../server/domain/classifier.ts";
import { classify } from "../../server/domain/classifier.ts";
import {
  computeFeatures,
  FEATURES_BLEND,
  FEATURES_FUNDAMENTAL,
  selectFeatures,
} from "../../server/domain/features.ts";
import { normalise } from "../../server/domain/margins.ts";
import type { Probs1x2 } from "../../server/domain/types.ts";
import type { DatasetRow } from "./dataset.ts";
import { type LogisticParams, logisticProbability, logit } from "../../server/domain/logistic.ts";
import { trainLogistic } from "./logistic.ts";
import { trainMlr } from "./mlr.ts";

const DAY_MS = 86_400_000;

/** Everything the ensemble learns at one refit. */
export interface EnsembleModels {
  fundamental: ClassifierParams;
  fundamentalFeatures: readonly string[];
  blend?: ClassifierParams;
  blendFeatures: readonly string[];
  /** Over 2.5 from Dixon-Coles alone, recalibrated. */
  totalsFundamental: LogisticParams;
  /** Over 2.5 from Dixon-Coles and the offered over/under prices. */
  totalsBlend?: LogisticParams;
}

/** Options of {@link trainEnsemble}. */
export interface TrainEnsembleOptions {
  /** L2 penalty of the classifiers. @default {0.001} */
  l2?: number;
  /** Features of the fundamental classifier. @default {FEATURES_FUNDAMENTAL} */
  fundamentalFeatures?: readonly string[];
  /** Features of the market-blend classifier. @default {FEATURES_BLEND} */
  blendFeatures?: readonly string[];
  /**
   * Half-life in days of the classifiers' sample weights, counted back from the newest row
   * (recent seasons weigh more). Infinity weighs every row alike.
   * @default {Infinity}
   */
  halfLifeDays?: number;
}

/** Fundamental features of a row (no odds). */
export function fundamentalFeatures(
  row: DatasetRow,
  names: readonly string[] = FEATURES_FUNDAMENTAL,
): Float64Array {
  return selectFeatures(
    computeFeatures({ home: row.home, away: row.away, dc: row.dc, kickoff: row.match.kickoff }),
    names,
  );
}

/** Blend features of a row using its OPENING 1X2 prices, or undefined without them. */
export function blendFeatures(
  row: DatasetRow,
  names: readonly string[] = FEATURES_BLEND,
): Float64Array | undefined {
  const odds = row.match.opening.x12;
  if (!odds) return undefined;
  return selectFeatures(
    computeFeatures({
      home: row.home,
      away: row.away,
      dc: row.dc,
      kickoff: row.match.kickoff,
      odds,
    }),
    names,
  );
}

/** Over 2.5 calibrator inputs: logit of Dixon-Coles' P(over 2.5). */
export function totalsFundamentalInput(row: DatasetRow): number[] {
  return [logit(row.dc.over25)];
}

/** Totals blend inputs with the OPENING over/under prices, or undefined without them. */
export function totalsBlendInput(row: DatasetRow): number[] | undefined {
  const t = row.match.opening.totals25;
  if (!t) return undefined;
  return [logit(row.dc.over25), logit(normalise([t.over, t.under])[0])];
}

/** Trains every ensemble part on `rows` (all must have kicked off before what is predicted). */
export function trainEnsemble(
  rows: readonly DatasetRow[],
  options: TrainEnsembleOptions = {},
): EnsembleModels {
  const {
    l2 = 0.001,
    fundamentalFeatures: fNames = FEATURES_FUNDAMENTAL,
    blendFeatures: bNames = FEATURES_BLEND,
    halfLifeDays = Infinity,
  } = options;
  let newest = -Infinity;
  for (const r of rows) newest = Math.max(newest, r.match.kickoff.getTime());
  const weight = (r: DatasetRow) =>
    Number.isFinite(halfLifeDays)
      ? 0.5 ** ((newest - r.match.kickoff.getTime()) / DAY_MS / halfLifeDays)
      : 1;
  const fundamental = trainMlr(
    rows.map((r) => ({
      features: fundamentalFeatures(r, fNames),
      outcome: r.outcome,
      weight: weight(r),
    })),
    { l2 },
  );
  const blendRows = rows.flatMap((r) => {
    const features = blendFeatures(r, bNames);
    return features ? [{ features, outcome: r.outcome, weight: weight(r) }] : [];
  });
  const over = (r: DatasetRow) => r.match.homeGoals + r.match.awayGoals > 2.5;
  const totalsFundamental = trainLogistic(
    rows.map((r) => ({ x: totalsFundamentalInput(r), y: over(r) })),
  );
  const totalsRows = rows.flatMap((r) => {
    const x = totalsBlendInput(r);
    return x ? [{ x, y: over(r) }] : [];
  });
  return {
    fundamental,
    fundamentalFeatures: fNames,
    blendFeatures: bNames,
    blend: blendRows.length >= 200 ? trainMlr(blendRows, { l2 }) : undefined,
    totalsFundamental,
    totalsBlend: totalsRows.length >= 200 ? trainLogistic(totalsRows) : undefined,
  };
}

/** The ensemble's forecasts for one row. */
export interface EnsemblePrediction {
  row: DatasetRow;
  fundamental: Probs1x2;
  blend?: Probs1x2;
  over25: { dixonColes: number; fundamental: number; blend?: number };
}

/** Applies trained models to one row. */
export function predictRow(models: EnsembleModels, row: DatasetRow): EnsemblePrediction {
  const fb = blendFeatures(row, models.blendFeatures);
  const tb = totalsBlendInput(row);
  return {
    row,
    fundamental: classify(
      models.fundamental,
      Array.from(fundamentalFeatures(row, models.fundamentalFeatures)),
    ),
    blend: fb && models.blend ? classify(models.blend, Array.from(fb)) : undefined,
    over25: {
      dixonColes: row.dc.over25,
      fundamental: logisticProbability(models.totalsFundamental, totalsFundamentalInput(row)),
      blend: tb && models.totalsBlend ? logisticProbability(models.totalsBlend, tb) : undefined,
    },
  };
}

/** Options of {@link walkForwardEnsemble}. */
export interface WalkForwardEnsembleOptions extends TrainEnsembleOptions {
  from: Date;
  to: Date;
  /** Days between refits. @default {28} */
  refitEveryDays?: number;
  /** Refuse to predict with fewer training rows than this. @default {500} */
  minTrainRows?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Predicts every row with `from <= kickoff < to`, refitting on the schedule. */
export function walkForwardEnsemble(
  rows: readonly DatasetRow[],
  options: WalkForwardEnsembleOptions,
): EnsemblePrediction[] {
  const { from, to, refitEveryDays = 28, minTrainRows = 500, onProgress } = options;
  const sorted = [...rows].sort((a, b) => a.match.kickoff.getTime() - b.match.kickoff.getTime());
  const target = sorted.filter((r) => r.match.kickoff >= from && r.match.kickoff < to);
  const period = refitEveryDays * DAY_MS;
  const out: EnsemblePrediction[] = [];
  let models: EnsembleModels | undefined;
  let fittedAt = NaN;
  for (const row of target) {
    const k = row.match.kickoff.getTime();
    const refitAt = from.getTime() + Math.floor((k - from.getTime()) / period) * period;
    if (refitAt !== fittedAt) {
      const past = sorted.filter((r) => r.match.kickoff.getTime() < refitAt);
      if (past.length < minTrainRows) {
        throw new RangeError(
          `Only ${past.length} training rows before "${new Date(refitAt).toISOString()}": ` +
            `start the backtest later or give more history`,
        );
      }
      models = trainEnsemble(past, options);
      fittedAt = refitAt;
      onProgress?.(out.length, target.length);
    }
    out.push(predictRow(models!, row));
  }
  onProgress?.(out.length, target.length);
  return out;
}
