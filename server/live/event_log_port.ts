/**
 * The ports of the live event log: what a replay answers, what an append returns, and the
 * interfaces the hub (ReplaySource) and the broker (EventLog) depend on. The KV and memory
 * implementations live in `event_log.ts`; the fleet's Redis stream implements the same ports.
 * @module
 */
/// <reference lib="deno.unstable" />
import type { Topic } from "../domain/live_protocol.ts";
import type { LiveEvent, PublishedEvent } from "./live_event.ts";

/** What a replay returns. */
export interface Replay {
  /** Missed events on the requested topics, in id order, each once. */
  events: PublishedEvent[];
  /**
   * True when events after `afterId` on these topics were already evicted (the window is
   * bounded), so the replay is incomplete and the client should reload the current state.
   */
  truncated: boolean;
  /**
   * The epoch of a log whose history can be lost (the fleet's Redis stream): a client keeps it
   * with its last `event_id`. Absent for the embedded log, whose ids survive restarts.
   */
  epoch?: string;
}

/** The result of {@link EventLog.append}. */
export interface Appended {
  /** The event with its id, topics and wire form. */
  published: PublishedEvent;
  /** Settles when the event is durable (never rejects: failures are counted in `stats()`). */
  persisted: Promise<void>;
}

/** Counters of an event log. */
export interface EventLogStats {
  last_event_id: number;
  retained_events: number;
  topics: number;
  persist_failures: number;
  /** Events too large to persist (kept in memory only). */
  not_persisted: number;
}

/** What the WebSocket hub reads of a log: replays and the last id. */
export interface ReplaySource {
  /**
   * Events after `afterId` on any of `topics`, in id order, without duplicates. `epoch` is the
   * client's (see {@link Replay.epoch}); a log with epochs truncates a replay of another one.
   */
  since(topics: readonly Topic[], afterId: number, epoch?: string): Promise<Replay>;
  /** Id of the last appended (or, in the fleet, delivered) event (0 when none). */
  lastId(): number;
  /** The current epoch of a log whose history can be lost. @default none */
  epoch?(): string;
  /**
   * Waits until this instance has delivered `offset` of `epoch` (a fleet instance may lag
   * the one a client comes from). @default none: the log is the instance's own
   */
  catchUp?(epoch: string | undefined, offset: number): Promise<void>;
  /**
   * Calls `listener` with the new epoch when the log's history was lost (ids restart), before
   * any event of the new epoch is delivered; returns a function that removes it. @default none
   */
  onEpochChange?(listener: (epoch: string) => void): () => void;
}

/** An append-only, bounded log of live events. */
export interface EventLog extends ReplaySource {
  /** Assigns the next id and records the event synchronously; persistence follows. */
  append(event: LiveEvent, topics: Topic[]): Appended;
  /** Counters for `/health` and `/metrics`. */
  stats(): EventLogStats;
  /** Waits for pending writes. The log must not be used afterwards. */
  close(): Promise<void>;
}

/** Options of {@link createMemoryEventLog} and {@link openKvEventLog}. */
export interface EventLogOptions {
  /**
   * Events kept per topic (older ones are evicted).
   * @default 500
   */
  perTopic?: number;
  /**
   * Events kept in total across topics (bounds memory when many match topics exist).
   * @default 20000
   */
  maxEvents?: number;
  /** Clock (epoch ms). @default Date.now */
  now?: () => number;
}

/** Options of {@link openKvEventLog}. */
export interface KvEventLogOptions extends EventLogOptions {
  /**
   * Key prefix in KV.
   * @default ["live_events"]
   */
  prefix?: Deno.KvKey;
  /**
   * Largest serialised event persisted (KV values are limited to 64 KiB); larger ones stay in
   * memory only and are counted.
   * @default 60000
   */
  maxPersistBytes?: number;
}
