/**
 * Fitted Dixon-Coles parameters (plain JSON, stored in the model card) and the expected goals
 * they give for a fixture, including a prior for teams the fit has never seen.
 * @module
 */

/** Learned offsets for a team in its first season after promotion. */
export interface PromotedOffsets {
  /** Added to the team's log-attack (negative: promoted teams score less). */
  attack: number;
  /** Added to the team's log-defence (positive: promoted teams concede more). */
  defence: number;
}

/**
 * Dixon & Coles (1997) parameters. log lambda = intercept + homeAdvantage + attack[home] +
 * defence[away], log mu = intercept + attack[away] + defence[home] (plus the promoted offsets
 * for a team in its first season after promotion). Attacks and defences have mean 0.
 */
export interface DixonColesParams {
  /** Teams seen in the training data, sorted. */
  teams: string[];
  /** Log-attack per team. */
  attack: Record<string, number>;
  /** Log-defence per team (higher concedes more). */
  defence: Record<string, number>;
  /** Global log goal rate of an away side (mean teams). */
  intercept: number;
  /** Log home advantage. */
  homeAdvantage: number;
  /** Dixon-Coles low-score dependence. */
  rho: number;
  /** ISO date: only matches that kicked off strictly before it were used. */
  asOf: string;
  /** Offsets for promoted teams, learned from every promotion in the training window. */
  promoted?: PromotedOffsets;
  /** Latest season label in the training data. */
  season?: string;
  /** Teams that played in `season`. */
  seasonTeams?: string[];
  /** Teams of `season` that did not play the season before it (promoted into `season`). */
  newTeams?: string[];
  /** Goals per side of the score matrices to build from these parameters. */
  maxGoals?: number;
  /** Hyper-parameters and diagnostics of the fit. */
  fit?: {
    xi: number;
    ridge: number;
    matches: number;
    iterations: number;
    converged: boolean;
    /** Weighted mean log-likelihood per match (tau included, log x! terms omitted). */
    meanLogLikelihood: number;
  };
}

/** Options of {@link expectedGoals}. */
export interface ExpectedGoalsOptions {
  /**
   * Season label of the fixture. When it is later than `params.season`, teams that did not
   * play in `params.season` count as promoted; otherwise `params.newTeams` does.
   * @default {params.season}
   */
  season?: string;
}

function isPromoted(params: DixonColesParams, team: string, season: string | undefined): boolean {
  if (!(team in params.attack)) return true;
  if (season !== undefined && params.season !== undefined && season > params.season) {
    return !(params.seasonTeams ?? []).includes(team);
  }
  return (params.newTeams ?? []).includes(team);
}

/** Log-attack and log-defence of a team for a fixture, with the promotion prior applied. */
export function teamStrength(
  params: DixonColesParams,
  team: string,
  options: ExpectedGoalsOptions = {},
): { attack: number; defence: number } {
  const base = {
    attack: params.attack[team] ?? 0,
    defence: params.defence[team] ?? 0,
  };
  if (params.promoted && isPromoted(params, team, options.season)) {
    base.attack += params.promoted.attack;
    base.defence += params.promoted.defence;
  }
  return base;
}

/**
 * Expected goals of a fixture. A team the fit has never seen (newly promoted) gets the league
 * mean (0) plus the learned promoted offsets: promoted sides are weaker than average, and the
 * offsets are estimated from every promotion in the training window rather than guessed.
 */
export function expectedGoals(
  params: DixonColesParams,
  home: string,
  away: string,
  options: ExpectedGoalsOptions = {},
): { lambda: number; mu: number } {
  const h = teamStrength(params, home, options);
  const a = teamStrength(params, away, options);
  return {
    lambda: Math.exp(params.intercept + params.homeAdvantage + h.attack + a.defence),
    mu: Math.exp(params.intercept + a.attack + h.defence),
  };
}
