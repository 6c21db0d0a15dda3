/**
 * Walk-forward training rows: for every match, what was known before kick-off — the weekly
 * refitted Dixon-Coles prediction and each team's Elo, pi-rating, form and rest — plus the
 * result. Matches that kick off at the same instant are all captured before any is applied.
 * @module
 */
import { scoreMatrix } from "../../server/domain/score_matrix.ts";
import { totals } from "../../server/domain/markets.ts";
import type { TeamState } from "../../server/domain/features.ts";
import type { MatchRecord, Outcome, Probs1x2 } from "../../server/domain/types.ts";
import {
  walkForwardDixonColes,
  type WalkForwardOptions,
  type WalkForwardProgress,
} from "../dixon_coles/walk_forward.ts";
import { TeamHistory, type TeamHistoryOptions } from "../features/team_history.ts";

/** One match with its pre-match information. */
export interface DatasetRow {
  match: MatchRecord;
  home: TeamState;
  away: TeamState;
  dc: { probs: Probs1x2; lambda: number; mu: number; rho: number; over25: number };
  outcome: Outcome;
}

/** Options of {@link buildDataset}. */
export interface BuildDatasetOptions
  extends Omit<WalkForwardOptions, "from" | "to">, TeamHistoryOptions {
  /** First kickoff to produce a row for (inclusive). */
  from: Date;
  /** Last kickoff (exclusive). @default {end of data + 1 day} */
  to?: Date;
  onProgress?: (p: WalkForwardProgress) => void;
}

/** The 1X2 outcome of a played match. */
export function outcomeOf(m: MatchRecord): Outcome {
  return m.homeGoals > m.awayGoals ? 0 : m.homeGoals === m.awayGoals ? 1 : 2;
}

/** Builds walk-forward rows for `matches` (any number of leagues, in any order). */
export function buildDataset(
  matches: readonly MatchRecord[],
  options: BuildDatasetOptions,
): DatasetRow[] {
  const { from, onProgress, elo, pi, formAlpha, ...dcOptions } = options;
  const sorted = [...matches].sort((a, b) => a.kickoff.getTime() - b.kickoff.getTime());
  if (sorted.length === 0) return [];
  const to = options.to ?? new Date(sorted[sorted.length - 1].kickoff.getTime() + 86_400_000);
  const dc = new Map(
    walkForwardDixonColes(sorted, { ...dcOptions, from, to }, onProgress).map((p) => [
      p.match.id,
      p,
    ]),
  );
  const histories = new Map<string, TeamHistory>();
  const rows: DatasetRow[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j < sorted.length && sorted[j].kickoff.getTime() === sorted[i].kickoff.getTime()) j++;
    const group = sorted.slice(i, j);
    for (const m of group) {
      let h = histories.get(m.league);
      if (!h) histories.set(m.league, h = new TeamHistory({ elo, pi, formAlpha }));
      const p = dc.get(m.id);
      if (!p) continue;
      const n = (dcOptions.maxGoals ?? 10) + 1;
      const over25 = totals(scoreMatrix(p.lambda, p.mu, p.rho, n - 1), n, [2.5])[0].over;
      rows.push({
        match: m,
        home: h.stateOf(m.home),
        away: h.stateOf(m.away),
        dc: { probs: p.probs, lambda: p.lambda, mu: p.mu, rho: p.rho, over25 },
        outcome: outcomeOf(m),
      });
    }
    for (const m of group) histories.get(m.league)!.update(m);
    i = j;
  }
  return rows;
}

/** Final team states of each league after all `matches` (for a model card snapshot). */
export function finalStates(
  matches: readonly MatchRecord[],
  options: TeamHistoryOptions = {},
): Map<string, TeamHistory> {
  const sorted = [...matches].sort((a, b) => a.kickoff.getTime() - b.kickoff.getTime());
  const histories = new Map<string, TeamHistory>();
  for (const m of sorted) {
    let h = histories.get(m.league);
    if (!h) histories.set(m.league, h = new TeamHistory(options));
    h.update(m);
  }
  return histories;
}
