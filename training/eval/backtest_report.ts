/**
 * Scores walk-forward forecasts against what happened and against the market's own opening
 * and closing prices (margin removed by normalising), evaluates value bets against the closing
 * line, and gathers calibration bins for reliability diagrams.
 * @module
 */
import { normalise } from "../../server/domain/margins.ts";
import { closingLineValue, kellyStake, marketMove } from "../../server/domain/staking.ts";
import type { Prices1x2, Probs1x2 } from "../../server/domain/types.ts";
import type { EnsemblePrediction } from "../ensemble/walk_forward.ts";
import { binaryLogLoss, type CalibrationBin, calibrationBins, ScoreBoard } from "./metrics.ts";

/** Mean scores of one forecaster. */
export interface VariantScores {
  matches: number;
  rps: number;
  log_loss: number;
  brier: number;
  accuracy: number;
}

/** Value bets flagged at one edge threshold. */
export interface ValueBetSummary {
  threshold: number;
  count: number;
  /** Profit per unit staked, level stakes. */
  roi: number;
  /** Profit per unit staked, fractional Kelly stakes. */
  kelly_roi: number;
  /** Mean of offered odds x fair closing probability - 1. */
  mean_clv: number;
  /** Mean of fair closing probability / fair opening probability - 1. */
  mean_market_move: number;
  hit_rate: number;
}

/** The backtest report (also written as JSON). */
export interface BacktestReport {
  from: string;
  to: string;
  matches: number;
  leagues: Record<string, number>;
  variants: Record<string, VariantScores>;
  market_open: VariantScores;
  market_close: VariantScores;
  /** Matches that have opening and closing 1X2 prices, on which all variants are compared. */
  compared_matches: number;
  totals_2_5: {
    matches: number;
    dixon_coles_log_loss: number;
    model_log_loss: number;
    blend_log_loss: number;
    market_open_log_loss: number;
    market_close_log_loss: number;
  };
  value_bets: ValueBetSummary;
  value_bets_by_threshold: ValueBetSummary[];
  calibration: Record<string, CalibrationBin[]>;
}

/** Options of {@link backtestReport}. */
export interface BacktestReportOptions {
  /** Edge thresholds to evaluate; the first is the headline. @default {[0.3, 0.05, 0.1, 0.2]} */
  thresholds?: number[];
  kelly?: { fraction?: number; cap?: number };
}

function scoresOf(board: ScoreBoard): VariantScores {
  const m = board.means();
  return {
    matches: m.count,
    rps: m.rps,
    log_loss: m.logLoss,
    brier: m.brier,
    accuracy: m.accuracy,
  };
}

const x12 = (o: Prices1x2): number[] => [o.home, o.draw, o.away];

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

function valueBets(
  preds: readonly EnsemblePrediction[],
  threshold: number,
  kelly: BacktestReportOptions["kelly"],
): ValueBetSummary {
  const clv: number[] = [], move: number[] = [];
  let staked = 0, profit = 0, kStaked = 0, kProfit = 0, hits = 0;
  for (const p of preds) {
    const open = p.row.match.opening.x12, close = p.row.match.closing.x12;
    if (!open || !close) continue;
    const offered = x12(open);
    const fairOpen = normalise(offered), fairClose = normalise(x12(close));
    for (let k = 0; k < 3; k++) {
      if (p.fundamental[k] * offered[k] <= 1 + threshold) continue;
      const won = p.row.outcome === k;
      staked += 1;
      profit += won ? offered[k] - 1 : -1;
      const stake = kellyStake(p.fundamental[k], offered[k], kelly);
      kStaked += stake;
      kProfit += won ? stake * (offered[k] - 1) : -stake;
      if (won) hits++;
      clv.push(closingLineValue(offered[k], fairClose[k]));
      move.push(marketMove(fairOpen[k], fairClose[k]));
    }
  }
  return {
    threshold,
    count: staked,
    roi: staked ? profit / staked : NaN,
    kelly_roi: kStaked ? kProfit / kStaked : NaN,
    mean_clv: mean(clv),
    mean_market_move: mean(move),
    hit_rate: staked ? hits / staked : NaN,
  };
}

function calibration(
  preds: readonly EnsemblePrediction[],
  pick: (p: EnsemblePrediction) => Probs1x2 | undefined,
) {
  const points: { p: number; hit: boolean }[] = [];
  for (const p of preds) {
    const probs = pick(p);
    if (!probs) continue;
    for (let k = 0; k < 3; k++) points.push({ p: probs[k], hit: p.row.outcome === k });
  }
  return calibrationBins(points, 10);
}

/**
 * Builds the report over `preds`. Every 1X2 score is computed on the same matches: those with
 * both opening and closing prices (so the market columns are comparable).
 */
export function backtestReport(
  preds: readonly EnsemblePrediction[],
  options: BacktestReportOptions = {},
): BacktestReport {
  const { thresholds = [0.3, 0.05, 0.1, 0.2], kelly } = options;
  const compared = preds.filter((p) => p.row.match.opening.x12 && p.row.match.closing.x12);
  const boards = {
    dixon_coles: new ScoreBoard(),
    fundamental: new ScoreBoard(),
    blend: new ScoreBoard(),
  };
  const open = new ScoreBoard(), close = new ScoreBoard();
  const leagues: Record<string, number> = {};
  for (const p of compared) {
    const y = p.row.outcome;
    leagues[p.row.match.league] = (leagues[p.row.match.league] ?? 0) + 1;
    boards.dixon_coles.add(p.row.dc.probs, y);
    boards.fundamental.add(p.fundamental, y);
    boards.blend.add(p.blend ?? p.fundamental, y);
    open.add(normalise(x12(p.row.match.opening.x12!)) as Probs1x2, y);
    close.add(normalise(x12(p.row.match.closing.x12!)) as Probs1x2, y);
  }
  const tot = { n: 0, dc: 0, model: 0, blend: 0, open: 0, close: 0 };
  for (const p of preds) {
    const o = p.row.match.opening.totals25, c = p.row.match.closing.totals25;
    if (!o || !c) continue;
    const over = p.row.match.homeGoals + p.row.match.awayGoals > 2.5;
    tot.n++;
    tot.dc += binaryLogLoss(p.over25.dixonColes, over);
    tot.model += binaryLogLoss(p.over25.fundamental, over);
    tot.blend += binaryLogLoss(p.over25.blend ?? p.over25.fundamental, over);
    tot.open += binaryLogLoss(normalise([o.over, o.under])[0], over);
    tot.close += binaryLogLoss(normalise([c.over, c.under])[0], over);
  }
  const byThreshold = thresholds.map((t) => valueBets(preds, t, kelly));
  return {
    from: preds[0]?.row.match.kickoff.toISOString() ?? "",
    to: preds[preds.length - 1]?.row.match.kickoff.toISOString() ?? "",
    matches: preds.length,
    leagues,
    compared_matches: compared.length,
    variants: {
      dixon_coles: scoresOf(boards.dixon_coles),
      fundamental: scoresOf(boards.fundamental),
      blend: scoresOf(boards.blend),
    },
    market_open: scoresOf(open),
    market_close: scoresOf(close),
    totals_2_5: {
      matches: tot.n,
      dixon_coles_log_loss: tot.dc / tot.n,
      model_log_loss: tot.model / tot.n,
      blend_log_loss: tot.blend / tot.n,
      market_open_log_loss: tot.open / tot.n,
      market_close_log_loss: tot.close / tot.n,
    },
    value_bets: byThreshold[0],
    value_bets_by_threshold: byThreshold,
    calibration: {
      dixon_coles: calibration(compared, (p) => p.row.dc.probs),
      fundamental: calibration(compared, (p) => p.fundamental),
      blend: calibration(compared, (p) => p.blend),
      market_open: calibration(
        compared,
        (p) => normalise(x12(p.row.match.opening.x12!)) as Probs1x2,
      ),
    },
  };
}
