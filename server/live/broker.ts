/**
 * The broker between the live pipeline (which detects odds changes and value bets) and whoever
 * pushes them out (the WebSocket hub, the alert engine). Publishing assigns the event its
 * monotonically increasing `event_id` through the event log, so a reconnecting client can replay
 * what it missed. In-process here; `server/fleet/fleet_broker.ts` is the Redis implementation.
 * @module
 */
import type { Topic } from "../domain/live_protocol.ts";
import type { EventLog } from "./event_log.ts";
import type { LiveEvent, PublishedEvent } from "./live_event.ts";

// The broker's API speaks these types: its callers import them from here.
export type { LiveEvent, PublishedEvent } from "./live_event.ts";

/** Where an event comes from: the fleet guards it with that source's fencing token. */
export interface PublishOrigin {
  source: string;
}

/** Publishes live events and fans them out to in-process listeners. */
export interface Broker {
  /**
   * Assigns an `event_id`, appends the event to the log and notifies every listener.
   * `origin` names the odds source the event comes from (the fleet broker refuses events of a
   * source this instance does not lead).
   */
  publish(event: LiveEvent, origin?: PublishOrigin): Promise<void>;
  /** Registers a listener; returns a function that removes it. */
  subscribe(listener: (e: PublishedEvent) => void): () => void;
}

/** The topics an event is delivered on, most specific first. */
export function topicsOf(event: LiveEvent): Topic[] {
  if (event.type === "odds") {
    return [`match:${event.match.id}`, `league:${event.match.league}`, "matches"];
  }
  return [`match:${event.bet.match_id}`, `league:${event.bet.league}`, "value-bets"];
}

/** Options of {@link createLocalBroker}. */
export interface LocalBrokerOptions {
  /** Called when a listener throws (the other listeners still run). @default console.error */
  onListenerError?: (error: unknown) => void;
}

/**
 * An in-process broker: events go to the log (which assigns ids and persists them) and then,
 * synchronously and in id order, to every listener. A listener that throws does not stop the
 * others.
 */
export function createLocalBroker(log: EventLog, options: LocalBrokerOptions = {}): Broker {
  const listeners = new Set<(e: PublishedEvent) => void>();
  const onListenerError = options.onListenerError ??
    ((error: unknown) => console.error("Live event listener failed:", error));
  return {
    publish: async function publish(event: LiveEvent): Promise<void> {
      // append() assigns the id and records the event synchronously; listeners run in id order
      // before anything else can publish, which is what gap-free replay relies on.
      const { published, persisted } = log.append(event, topicsOf(event));
      for (const listener of [...listeners]) {
        try {
          listener(published);
        } catch (error) {
          onListenerError(error);
        }
      }
      await persisted;
    },
    subscribe: function subscribe(listener: (e: PublishedEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
