/**
 * The prediction a client receives, and the engine interface that produces it. Shared by the
 * REST API, the live pipeline and the browser islands.
 * @module
 */
import type { Prices1x2 } from "./types.ts";

/** Odds a client may attach to a prediction request (decimal, > 1). */
export interface RequestOdds extends Prices1x2 {
  over_2_5?: number;
  under_2_5?: number;
  btts_yes?: number;
  btts_no?: number;
}

/** What to predict. Team and league names may be aliases; the engine canonicalises them. */
export interface PredictionRequest {
  league: string;
  home_team: string;
  away_team: string;
  /** ISO date-time of kick-off; defaults to now. */
  kickoff?: string;
  odds?: RequestOdds;
}

/** A bet whose model probability beats the offered price by more than the threshold. */
export interface ValueBet {
  /** `1x2`, `totals_2_5` or `btts`. */
  market: string;
  /** `home`, `draw`, `away`, `over`, `under`, `yes`, `no`. */
  selection: string;
  odds: number;
  probability: number;
  /** probability x odds - 1. */
  edge: number;
  /** Fractional Kelly stake as a fraction of bankroll, capped. */
  kelly_fraction: number;
}

/** Probability of one exact score. */
export interface CorrectScore {
  score: string;
  probability: number;
}

/** Over/under probabilities for one total-goals line. */
export interface TotalsLine {
  line: number;
  over: number;
  under: number;
}

/** Home-side Asian handicap line: win/push/lose probabilities for the home team. */
export interface AsianHandicapLine {
  line: number;
  home_win: number;
  push: number;
  away_win: number;
}

/** The full prediction for one match. */
export interface Prediction {
  league: string;
  home_team: string;
  away_team: string;
  kickoff?: string;
  probabilities: { home_win: number; draw: number; away_win: number };
  expected_goals: { home: number; away: number };
  markets: {
    over_under_2_5: { over: number; under: number };
    totals: TotalsLine[];
    btts: { yes: number; no: number };
    correct_scores: CorrectScore[];
    asian_handicap: AsianHandicapLine[];
  };
  fair_odds: {
    home: number;
    draw: number;
    away: number;
    over_2_5: number;
    under_2_5: number;
    btts_yes: number;
    btts_no: number;
  };
  value_bets: ValueBet[];
  /** Score matrix P(home=i, away=j), rows = home goals 0..n-1, for heat-maps. */
  score_matrix: number[][];
  model: { version: string; trained_until: string; variant: string };
}

/** A team as the engine knows it. */
export interface TeamInfo {
  name: string;
  aliases: string[];
}

/** Anything that can turn a request into a prediction (ONNX models, or a twin in unit tests). */
export interface PredictionEngine {
  /** Canonical league keys this engine can serve right now or after loading. */
  leagues(): string[];
  /** Teams of a league (canonical names with aliases). Throws HttpError 422 on unknown league. */
  teams(league: string): Promise<TeamInfo[]>;
  /** Predicts one match. Throws HttpError (422 unknown team/league, 503 model not loaded). */
  predict(request: PredictionRequest, signal?: AbortSignal): Promise<Prediction>;
  /** Whether models are usable, and which are loaded. */
  status(): { ready: boolean; loaded: string[]; available: string[]; detail?: string };
}
