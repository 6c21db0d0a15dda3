/**
 * The WebSocket protocol between the hub (`/ws`) and browser islands: one discriminated union
 * per direction. Pure types and constants: imported by the server and by `islands/`.
 * @module
 */
import type { Prediction, RequestOdds, ValueBet } from "./prediction.ts";
import type { Prices1x2 } from "./types.ts";

/** Topics a client may subscribe to: `matches`, `league:<key>`, `match:<id>`, `value-bets`. */
export type Topic = "matches" | "value-bets" | `league:${string}` | `match:${string}`;

/** Current prices of one upcoming match at one source. */
export interface MatchOdds {
  x12: Prices1x2;
  over_2_5?: number;
  under_2_5?: number;
  btts_yes?: number;
  btts_no?: number;
}

/** One bookmaker's current prices of a match: each source is one book, named by the source. */
export interface BookQuote extends RequestOdds {
  name: string;
  updated_at: string;
}

/**
 * What live events carry of a prediction: the headline numbers a board row or a feed needs,
 * about a tenth of the full {@link Prediction} (no score matrix, exact scores, totals or
 * Asian-handicap tables). The full prediction of one match comes from
 * `GET /api/v1/matches/:id`. A full `Prediction` is structurally a summary, so send
 * `summarizePrediction(p)` (server/live/upcoming_view.ts), never the prediction itself.
 */
export interface PredictionSummary {
  probabilities: Prediction["probabilities"];
  expected_goals: Prediction["expected_goals"];
  fair_odds: Pick<Prediction["fair_odds"], "home" | "draw" | "away">;
  model: Pick<Prediction["model"], "version" | "variant">;
}

/**
 * An upcoming match as clients see it. Live events and the board carry a
 * {@link PredictionSummary} (the default); the match page and `GET /api/v1/matches/:id` use
 * `UpcomingMatch<Prediction>` with the full prediction.
 */
export interface UpcomingMatch<P extends PredictionSummary = PredictionSummary> {
  id: string;
  league: string;
  home_team: string;
  away_team: string;
  kickoff: string;
  /** Where the prices come from; `demo` for the built-in demo bookmaker. */
  source: string;
  odds: MatchOdds;
  opening_odds: MatchOdds;
  updated_at: string;
  /**
   * Every book's current prices, most recently updated first (`source`'s among them): the
   * prediction and its value bets see all of them. Absent from events of older servers.
   */
  bookmakers?: BookQuote[];
  prediction?: P;
  /** The prediction's value bets at these prices (empty without a prediction). */
  value_bets: ValueBet[];
}

/** Client -> server messages. */
export type ClientMessage =
  | {
    type: "subscribe";
    topics: Topic[];
    /** The last `event_id` the client saw: the server replays what came after it. */
    since?: number;
    /** The epoch the client got with that id (fleet mode; see `subscribed`). */
    epoch?: string;
  }
  | { type: "unsubscribe"; topics: Topic[] }
  | { type: "ping"; t?: number };

/** A value-bet lifecycle event. */
export interface ValueBetEvent extends ValueBet {
  action: "open" | "update" | "close";
  match_id: string;
  league: string;
  home_team: string;
  away_team: string;
  kickoff: string;
}

/** Server -> client messages. Events carry a monotonically increasing `event_id`. */
export type ServerMessage =
  | {
    type: "welcome";
    connection_id: string;
    last_event_id: number;
    server_time: string;
    /** Fleet mode: the epoch of the event ids (they restart when it changes). */
    epoch?: string;
  }
  | {
    type: "odds";
    event_id: number;
    topic: Topic;
    match: UpcomingMatch;
    previous: MatchOdds | null;
  }
  | { type: "value_bet"; event_id: number; topic: Topic; bet: ValueBetEvent }
  | {
    /**
     * Acknowledges `subscribe`, sent after any replayed events: what follows is live.
     * `truncated` means events after `since` were already evicted: reload the current state.
     */
    type: "subscribed";
    topics: Topic[];
    replayed: number;
    truncated: boolean;
    last_event_id: number;
    /** Fleet mode: the epoch of `last_event_id`; send it back with `since`. */
    epoch?: string;
    /**
     * Fleet mode, with `since`: true when every missed event was replayed; false when they
     * could not all be (another epoch, or history trimmed): reload from `snapshot`.
     */
    recovered?: boolean;
    /** With `recovered: false`: the current matches of the subscribed topics. */
    snapshot?: UpcomingMatch[];
  }
  | { type: "unsubscribed"; topics: Topic[] }
  | {
    /**
     * Several events in id order, sent as one frame when the connection was busy (coalescing
     * under load; the production hub batches). Handle each element exactly like a standalone
     * message: `for (const m of msg.type === "batch" ? msg.events : [msg])`.
     */
    type: "batch";
    events: LiveEventMessage[];
  }
  | { type: "error"; code: string; message: string }
  | { type: "pong"; t?: number; server_time: string };

/** The server messages that carry a live event (and an `event_id`). */
export type LiveEventMessage = Extract<ServerMessage, { type: "odds" | "value_bet" }>;

/** Limits the hub enforces (also shown to clients in docs). */
export const WS_LIMITS = {
  maxMessageBytes: 4096,
  maxSubscriptions: 50,
  maxConnectionsPerAddress: 20,
  /** Send buffer above which a slow consumer is closed with code 1013. */
  maxBufferedBytes: 1_000_000,
  heartbeatMs: 30_000,
} as const;
