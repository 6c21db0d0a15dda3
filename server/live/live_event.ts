/**
 * The events of the live pipeline and their published form. They sit in their own module because
 * both the event log (which assigns ids and serialises them) and the broker (which fans them
 * out) speak them, and the broker depends on the log.
 * @module
 */
import type { MatchOdds, Topic, UpcomingMatch, ValueBetEvent } from "../domain/live_protocol.ts";

/** An event the pipeline publishes: an odds change, or a value bet opening/updating/closing. */
export type LiveEvent =
  | { type: "odds"; match: UpcomingMatch; previous: MatchOdds | null }
  | { type: "value_bet"; bet: ValueBetEvent };

/** A published event: the event, its id, the topics it belongs to and its JSON wire form. */
export interface PublishedEvent {
  /** Monotonically increasing id, unique across restarts. */
  event_id: number;
  /** Every topic the event is delivered on (most specific first). */
  topics: Topic[];
  /** The event as published. */
  event: LiveEvent;
  /** The `ServerMessage` (`odds` or `value_bet`) serialised once, sent as-is to every client. */
  json: string;
  /** Publication time (epoch ms). */
  published_at: number;
  /**
   * Fleet mode: the source and fencing token that guarded its publication; what is written
   * because of the event (alerts) carries the same token. @default none (unfenced)
   */
  fence?: { source: string; fence: number };
}
