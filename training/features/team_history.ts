/**
 * Carries every team's pre-match state forward match by match: Elo, pi-ratings, recent form
 * and the date of its last match. `stateOf` before `update` gives exactly what was known at
 * kick-off, which is what training rows and the served model card's snapshot hold.
 * @module
 */
import type { TeamState } from "../../server/domain/features.ts";
import type { MatchRecord } from "../../server/domain/types.ts";
import { type EloOptions, EloRatings } from "../ratings/elo.ts";
import { type PiRatingOptions, PiRatings } from "../ratings/pi_rating.ts";

const DAY_MS = 86_400_000;

/** Options of {@link TeamHistory}. */
export interface TeamHistoryOptions {
  elo?: EloOptions;
  pi?: PiRatingOptions;
  /**
   * Weight of the newest result in the exponentially weighted points-per-game form.
   * @default {0.15}
   */
  formAlpha?: number;
}

/** Pre-match state of every team of one league. */
export class TeamHistory {
  #elo: EloRatings;
  #pi: PiRatings;
  #alpha: number;
  #form = new Map<string, number>();
  #last = new Map<string, number>();

  constructor(options: TeamHistoryOptions = {}) {
    this.#elo = new EloRatings({ k: 20, homeAdvantage: 60, ...options.elo });
    this.#pi = new PiRatings(options.pi);
    this.#alpha = options.formAlpha ?? 0.15;
  }

  /** The team's state now (before its next match). */
  stateOf(team: string): TeamState {
    const pi = this.#pi.ratings(team);
    const state: TeamState = {
      elo: this.#elo.rating(team),
      pi_home: pi.home,
      pi_away: pi.away,
      form: this.#form.get(team) ?? 0,
    };
    const last = this.#last.get(team);
    if (last !== undefined) state.last_match = last;
    return state;
  }

  /** Every team seen so far. */
  teams(): string[] {
    return [...this.#form.keys()].sort();
  }

  /** Adds one played match. Matches must come in kick-off order. */
  update(match: MatchRecord): void {
    this.#elo.update(match);
    this.#pi.update(match);
    const diff = match.homeGoals - match.awayGoals;
    const homePoints = diff > 0 ? 3 : diff === 0 ? 1 : 0;
    const awayPoints = diff < 0 ? 3 : diff === 0 ? 1 : 0;
    // Form is centred on the league's ~1.37 points per game so a new team starts average.
    for (const [team, points] of [[match.home, homePoints], [match.away, awayPoints]] as const) {
      const prev = this.#form.get(team) ?? 0;
      this.#form.set(team, (1 - this.#alpha) * prev + this.#alpha * (points - 1.37));
      this.#last.set(team, Math.floor(match.kickoff.getTime() / DAY_MS));
    }
  }
}
