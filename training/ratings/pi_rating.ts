/**
 * Pi-ratings (Constantinou & Fenton 2013, "Determining the level of ability of football teams by
 * dynamic ratings based on the relative discrepancies in scores between adversaries"): every
 * team has a home and an away rating, in goals-difference units on a log scale, learnt from the
 * error between observed and expected goal difference.
 * @module
 */
import type { MatchRecord } from "../../server/domain/types.ts";

/** What a rating update needs from a match. */
export type MatchResult = Pick<MatchRecord, "home" | "away" | "homeGoals" | "awayGoals">;

/** Pi-rating parameters, named as in the paper. */
export interface PiRatingOptions {
  /**
   * Learning rate: how far the rating at the match's venue moves per unit of error.
   * @default {0.035}
   */
  lambda?: number;
  /**
   * Catch-up rate: share of that change passed on to the team's rating at the other venue.
   * @default {0.7}
   */
  gamma?: number;
  /**
   * Logarithm base b of the rating scale.
   * @default {10}
   */
  base?: number;
  /**
   * Scale c: a rating of c means an expected goal difference of b - 1.
   * @default {3}
   */
  c?: number;
}

/** A team's two ratings. */
export interface PiRating {
  home: number;
  away: number;
}

/** Pi-ratings updated match by match. */
export class PiRatings {
  #lambda: number;
  #gamma: number;
  #base: number;
  #c: number;
  #ratings = new Map<string, PiRating>();

  constructor(options: PiRatingOptions = {}) {
    const { lambda = 0.035, gamma = 0.7, base = 10, c = 3 } = options;
    if (!(lambda > 0) || !(gamma >= 0 && gamma <= 1) || !(base > 1) || !(c > 0)) {
      throw new RangeError(
        `Invalid pi-rating options: lambda "${lambda}", gamma "${gamma}", base "${base}", c "${c}"`,
      );
    }
    this.#lambda = lambda;
    this.#gamma = gamma;
    this.#base = base;
    this.#c = c;
  }

  /** A team's home and away ratings (0 and 0 if unseen). */
  ratings(team: string): PiRating {
    const r = this.#ratings.get(team);
    return r ? { ...r } : { home: 0, away: 0 };
  }

  /** Goal difference a rating stands for: sign(R) * (b^(|R| / c) - 1). */
  #goals(rating: number): number {
    return Math.sign(rating) * (this.#base ** (Math.abs(rating) / this.#c) - 1);
  }

  /**
   * Expected goal difference (home minus away): the home team's home rating against the away
   * team's away rating, each turned into goals.
   */
  expectedGoalDiff(home: string, away: string): number {
    return this.#goals(this.ratings(home).home) - this.#goals(this.ratings(away).away);
  }

  /**
   * Applies one played match. The error e = |observed - expected goal difference| is damped to
   * psi(e) = c * log10(1 + e), so big wins teach less per goal than narrow ones; the home team's
   * home rating moves by +-lambda * psi, its away rating by gamma times that, and mirrored for
   * the away team.
   */
  update(match: MatchResult): void {
    const { home, away, homeGoals, awayGoals } = match;
    if (!Number.isInteger(homeGoals) || !Number.isInteger(awayGoals)) {
      throw new RangeError(`Goals must be integers, got "${homeGoals}-${awayGoals}"`);
    }
    if (home === away) throw new RangeError(`A team cannot play itself, got "${home}"`);
    const observed = homeGoals - awayGoals;
    const expected = this.expectedGoalDiff(home, away);
    const psi = this.#c * Math.log10(1 + Math.abs(observed - expected));
    const psiHome = observed > expected ? psi : -psi;
    const psiAway = observed < expected ? psi : -psi;
    const h = this.ratings(home);
    const a = this.ratings(away);
    const homeStep = psiHome * this.#lambda;
    const awayStep = psiAway * this.#lambda;
    this.#ratings.set(home, { home: h.home + homeStep, away: h.away + homeStep * this.#gamma });
    this.#ratings.set(away, { home: a.home + awayStep * this.#gamma, away: a.away + awayStep });
  }

  /** A copy of every rated team's ratings. */
  snapshot(): Record<string, PiRating> {
    return Object.fromEntries([...this.#ratings].map(([t, r]) => [t, { ...r }]));
  }
}
