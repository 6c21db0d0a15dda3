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
  /** Prices of named bookmakers; `odds` counts as one more, unnamed, book. */
  bookmakers?: (RequestOdds & { name: string })[];
}

/** The best price of one priced selection, with the forecast's probability and edge. */
export interface BestPrice {
  /** `1x2`, `totals_2_5` or `btts`. */
  market: string;
  /** `home`, `draw`, `away`, `over`, `under`, `yes`, `no`. */
  selection: string;
  /** The best price across the books. */
  odds: number;
  /** The book offering it (`odds` for the request's unnamed `odds` book). */
  bookmaker: string;
  /** Books that priced the whole market. */
  books: number;
  probability: number;
  /** probability x odds - 1. */
  edge: number;
}

/**
 * A bet whose best price beats the answer's forecast by at least the policy's edge: the
 * probability is the one the answer shows for the selection in the forecast it names.
 */
export interface ValueBet extends BestPrice {
  /** The forecast the probability comes from (the answer's `forecast.name`). */
  forecast: string;
  /** 1 / probability. */
  fair_odds: number;
  /** Fractional Kelly stake on `odds` as a fraction of bankroll, capped. */
  kelly_fraction: number;
  /** Mean closing line value the policy's backtest measured for this edge; null without one. */
  expected_clv: number | null;
  expected_clv_ci95: [number, number] | null;
}

/** Which forecast an answer's probabilities, fair odds and value bets come from. */
export interface Forecast {
  /**
   * `model`: the model alone (no prices given). `fair`: per priced market, the market's fair
   * probabilities blended with the results-only model at `model_weight`.
   */
  name: "model" | "fair";
  model_weight: number;
  margin_removal: string | null;
  /** The priced markets: where their fair price came from and what it was. */
  markets: {
    market: string;
    source: "pinnacle" | "consensus";
    books: number;
    market_probabilities: number[];
  }[];
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
  /** What `probabilities`, `markets`, `fair_odds` and `value_bets` are the forecast of. */
  forecast: Forecast;
  /** Other forecasts, each labelled: `results_only` is the model without any price. */
  forecasts: {
    results_only: {
      home_win: number;
      draw: number;
      away_win: number;
      over_2_5: number;
      btts_yes: number;
    };
    /** The blend model, which also sees the books' average 1X2 price: shown, not bet on. */
    blend?: { home_win: number; draw: number; away_win: number };
  };
  /** Best price of every priced selection. */
  best_prices: BestPrice[];
  /** The policy value bets were chosen by (alerts close below `close_edge`). */
  value_policy: {
    min_edge: number;
    close_edge: number;
    kelly_fraction: number;
    kelly_cap: number;
    /** Whether a backtest chose it (false: the committed default). */
    chosen: boolean;
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
