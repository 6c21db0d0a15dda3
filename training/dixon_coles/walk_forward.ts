/**
 * Walk-forward Dixon-Coles: refit on a fixed schedule (weekly by default) using only matches
 * that kicked off before the refit instant, and predict every match until the next refit.
 * @module
 */
import type { MatchRecord, Probs1x2 } from "../../server/domain/types.ts";
import { clampRho, DEFAULT_MAX_GOALS, scoreMatrix } from "../../server/domain/score_matrix.ts";
import { outcome1x2 } from "../../server/domain/markets.ts";
import { fitDixonColes, type FitDixonColesOptions } from "./fit.ts";
import { type DixonColesParams, expectedGoals } from "./params.ts";

const DAY_MS = 86_400_000;

/** Options of {@link walkForwardDixonColes}; fit options apply to every refit. */
export interface WalkForwardOptions extends Omit<FitDixonColesOptions, "asOf" | "init"> {
  /** First kickoff predicted (inclusive); also the anchor of the refit schedule. */
  from: Date;
  /** Last kickoff predicted (exclusive). */
  to: Date;
  /**
   * Days between refits. A match at kickoff k is predicted by the fit made at the latest
   * schedule instant from + n * refitEveryDays <= k, from matches with kickoff before it.
   * @default {7}
   */
  refitEveryDays?: number;
  /**
   * Warm-start each refit from the previous one (same optimum, fewer iterations).
   * @default {true}
   */
  warmStart?: boolean;
  /** Stops between refits when aborted (throws the signal's reason). */
  signal?: AbortSignal;
}

/** One walk-forward prediction. */
export interface WalkForwardPrediction {
  match: MatchRecord;
  lambda: number;
  mu: number;
  /** Fitted rho, clamped so every tau > 0 for this fixture's rates. */
  rho: number;
  /** 1X2 probabilities of the renormalised score matrix. */
  probs: Probs1x2;
  /** The refit instant (ISO); only matches that kicked off before it were used. */
  fittedAsOf: string;
}

/** Progress of a walk-forward: refits done so far and matches predicted. */
export interface WalkForwardProgress {
  league: string;
  refits: number;
  predicted: number;
  total: number;
}

/**
 * Predicts every match with `from <= kickoff < to`, league by league (teams of different
 * leagues are never fitted together), refitting every `refitEveryDays`. Returns predictions
 * in kickoff order. Throws a RangeError when a predicted match has no earlier match to learn
 * from.
 */
export function walkForwardDixonColes(
  matches: MatchRecord[],
  options: WalkForwardOptions,
  onProgress?: (progress: WalkForwardProgress) => void,
): WalkForwardPrediction[] {
  const {
    from,
    to,
    refitEveryDays = 7,
    warmStart = true,
    signal,
    maxGoals = DEFAULT_MAX_GOALS,
    ...fitOptions
  } = options;
  if (!(refitEveryDays > 0)) throw new RangeError(`Invalid refitEveryDays "${refitEveryDays}"`);
  if (!(from.getTime() < to.getTime())) {
    throw new RangeError(`Invalid walk-forward range "${from.toISOString()}".."${to}"`);
  }
  const period = refitEveryDays * DAY_MS;
  const byLeague = new Map<string, MatchRecord[]>();
  for (const m of matches) {
    let list = byLeague.get(m.league);
    if (!list) byLeague.set(m.league, list = []);
    list.push(m);
  }
  const out: WalkForwardPrediction[] = [];
  const total = matches.filter((m) => m.kickoff >= from && m.kickoff < to).length;
  for (const [league, list] of byLeague) {
    const sorted = [...list].sort((a, b) => a.kickoff.getTime() - b.kickoff.getTime());
    let fitted: DixonColesParams | undefined;
    let fittedAt = NaN;
    let refits = 0;
    for (const match of sorted) {
      const k = match.kickoff.getTime();
      if (k < from.getTime() || k >= to.getTime()) continue;
      const refitAt = from.getTime() + Math.floor((k - from.getTime()) / period) * period;
      if (refitAt !== fittedAt) {
        signal?.throwIfAborted();
        const asOf = new Date(refitAt);
        // Only the past is handed to the fit, so no option can make it peek.
        const past = sorted.filter((m) => m.kickoff.getTime() < refitAt);
        if (past.length === 0) {
          throw new RangeError(`No matches of "${league}" before "${asOf.toISOString()}"`);
        }
        fitted = fitDixonColes(past, {
          ...fitOptions,
          maxGoals,
          asOf,
          init: warmStart ? fitted : undefined,
        });
        fittedAt = refitAt;
        refits++;
        onProgress?.({ league, refits, predicted: out.length, total });
      }
      const params = fitted!;
      const { lambda, mu } = expectedGoals(params, match.home, match.away, {
        season: match.season,
      });
      const rho = clampRho(lambda, mu, params.rho);
      out.push({
        match,
        lambda,
        mu,
        rho,
        probs: outcome1x2(scoreMatrix(lambda, mu, rho, maxGoals), maxGoals + 1),
        fittedAsOf: params.asOf,
      });
    }
  }
  return out.sort((a, b) => a.match.kickoff.getTime() - b.match.kickoff.getTime());
}
