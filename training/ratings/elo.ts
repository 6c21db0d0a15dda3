/**
 * Elo ratings for football in the World Football Elo style (eloratings.net): a home advantage in
 * rating points and a K multiplier that grows with the goal margin.
 * @module
 */
import type { MatchRecord } from "../../server/domain/types.ts";

/** What a rating update needs from a match. */
export type MatchResult = Pick<MatchRecord, "home" | "away" | "homeGoals" | "awayGoals">;

/** Elo parameters. */
export interface EloOptions {
  /**
   * Base update step in rating points.
   * @default {20}
   */
  k?: number;
  /**
   * Rating points added to the home side when computing its expectation.
   * @default {60}
   */
  homeAdvantage?: number;
  /**
   * Rating of a team not seen before.
   * @default {1500}
   */
  initial?: number;
}

/**
 * Goal-margin multiplier G of World Football Elo: 1 for a draw or one goal, 1.5 for two,
 * (11 + N) / 8 for N >= 3.
 */
export function marginMultiplier(goalDifference: number): number {
  const n = Math.abs(goalDifference);
  if (n <= 1) return 1;
  if (n === 2) return 1.5;
  return (11 + n) / 8;
}

/** Team Elo ratings updated match by match: R += K * G * (W - W_e). */
export class EloRatings {
  #k: number;
  #homeAdvantage: number;
  #initial: number;
  #ratings = new Map<string, number>();

  constructor(options: EloOptions = {}) {
    const { k = 20, homeAdvantage = 60, initial = 1500 } = options;
    if (!(k > 0) || !Number.isFinite(homeAdvantage) || !Number.isFinite(initial)) {
      throw new RangeError(
        `Invalid Elo options: k "${k}", homeAdvantage "${homeAdvantage}", initial "${initial}"`,
      );
    }
    this.#k = k;
    this.#homeAdvantage = homeAdvantage;
    this.#initial = initial;
  }

  /** Current rating of a team (the initial rating if unseen). */
  rating(team: string): number {
    return this.#ratings.get(team) ?? this.#initial;
  }

  /**
   * Expected score W_e of the home team (win 1, draw 0.5):
   * 1 / (1 + 10^(-(R_home + homeAdvantage - R_away) / 400)).
   */
  expected(home: string, away: string): number {
    const dr = this.rating(home) + this.#homeAdvantage - this.rating(away);
    return 1 / (1 + 10 ** (-dr / 400));
  }

  /** Applies one played match; the away team loses what the home team gains. */
  update(match: MatchResult): void {
    const { home, away, homeGoals, awayGoals } = match;
    if (!Number.isInteger(homeGoals) || !Number.isInteger(awayGoals)) {
      throw new RangeError(`Goals must be integers, got "${homeGoals}-${awayGoals}"`);
    }
    if (home === away) throw new RangeError(`A team cannot play itself, got "${home}"`);
    const result = homeGoals > awayGoals ? 1 : homeGoals === awayGoals ? 0.5 : 0;
    const delta = this.#k * marginMultiplier(homeGoals - awayGoals) *
      (result - this.expected(home, away));
    this.#ratings.set(home, this.rating(home) + delta);
    this.#ratings.set(away, this.rating(away) - delta);
  }

  /** A copy of every rated team's rating. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#ratings);
  }
}
