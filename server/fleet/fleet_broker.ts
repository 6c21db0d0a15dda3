/**
 * The live broker and replay log of a fleet instance, over {@link FleetEventStream}: an event
 * gets its fleet-wide offset (its `event_id`), its place in the bounded stream and its
 * publication in one script, guarded by the fencing token of the source it comes from. Every
 * instance, the publisher included, receives it through {@link FleetEventSubscriber} (in offset
 * order, gaps filled from the stream) and hands it to its listeners: its WebSocket hub and alert
 * engine. A replay (`since`) is the stream's whole gap or `truncated` with the current epoch,
 * never part of a gap.
 * @module
 */
import type { Topic } from "../domain/live_protocol.ts";
import { type Broker, type PublishOrigin, topicsOf } from "../live/broker.ts";
import { type Replay, type ReplaySource, serialiseEvent } from "../live/event_log.ts";
import type { LiveEvent, PublishedEvent } from "../live/live_event.ts";
import { type FleetEvent, FleetEventStream, type StreamPosition } from "./event_stream.ts";
import { FleetEventSubscriber } from "./event_subscriber.ts";
import type { FenceReport } from "./fenced_writes.ts";
import { NotLeaderError } from "./not_leader.ts";
import type { FleetRedis } from "./redis_client.ts";

/** What the stream stores of an event: the wire form is rebuilt with the offset as its id. */
export interface StoredFleetEvent {
  /** Topics. */
  t: Topic[];
  /** The event. */
  e: LiveEvent;
  /** Publication time (epoch ms). */
  at: number;
  /** Instance that published it. */
  by: string;
  /** Source and fencing token that guarded the write, when fenced. */
  src?: string;
  fence?: number;
}

/** Options of {@link FleetBroker.open}. */
export interface FleetBrokerOptions {
  /**
   * The fencing token this instance holds for a source, null when it does not lead it (its
   * events are then refused). Without it events are published unfenced.
   * @default none
   */
  fenceOf?: (source: string) => number | null;
  /** Told of each fenced publication refused or accepted (`/metrics`, `/health`). @default none */
  fenced?: FenceReport;
  /** Events the stream keeps. @default 10000 */
  maxLen?: number;
  /** Period of the subscriber's check against the stream. @default 1000 */
  checkIntervalMs?: number;
  /**
   * Longest wait in a replay for this instance to have received what the stream holds (its
   * live fan-out would otherwise send those events twice); past it the replay is truncated.
   * @default 5000
   */
  catchUpMs?: number;
  /** Stops the subscription. */
  signal?: AbortSignal;
  /** Called when a listener throws. @default console.error */
  onListenerError?: (error: unknown) => void;
}

/** Counters of the fleet broker. */
export interface FleetBrokerStats {
  epoch: string;
  last_event_id: number;
  published: number;
  /** Publications refused because this instance's fencing token was stale. */
  fenced_out: number;
  received: number;
  /** Times continuity was lost (new epoch or trimmed history). */
  resets: number;
}

interface Waiter {
  epoch: string;
  offset: number;
  resolve: (ok: boolean) => void;
}

/** The fleet's broker and replay log on one instance. */
export class FleetBroker implements Broker, ReplaySource {
  readonly #redis: FleetRedis;
  readonly #stream: FleetEventStream;
  readonly #subscriber: FleetEventSubscriber;
  readonly #fenceOf: ((source: string) => number | null) | undefined;
  readonly #fenced: FenceReport | undefined;
  readonly #catchUpMs: number;
  readonly #onListenerError: (error: unknown) => void;
  readonly #listeners = new Set<(e: PublishedEvent) => void>();
  readonly #ownListeners = new Set<(e: PublishedEvent) => void>();
  readonly #epochListeners = new Set<(epoch: string) => void>();
  #waiters: Waiter[] = [];
  #counts = { published: 0, fenced_out: 0, received: 0, resets: 0 };

  private constructor(redis: FleetRedis, options: FleetBrokerOptions) {
    this.#redis = redis;
    this.#stream = new FleetEventStream(redis, { maxLen: options.maxLen });
    this.#fenceOf = options.fenceOf;
    this.#fenced = options.fenced;
    this.#catchUpMs = options.catchUpMs ?? 5000;
    this.#onListenerError = options.onListenerError ??
      ((error: unknown) => console.error("Live event listener failed:", error));
    this.#subscriber = new FleetEventSubscriber(this.#stream, {
      onEvent: (e) => this.#receive(e),
      onReset: (position, previousEpoch) => {
        this.#counts.resets++;
        this.#wake();
        if (previousEpoch !== position.epoch) this.#epochChanged(position.epoch);
      },
      checkIntervalMs: options.checkIntervalMs,
      signal: options.signal,
    });
  }

  /** Subscribes to the fleet's events (from the stream's current position) and returns. */
  static async open(redis: FleetRedis, options: FleetBrokerOptions = {}): Promise<FleetBroker> {
    const broker = new FleetBroker(redis, options);
    await broker.#subscriber.start();
    return broker;
  }

  /** The underlying stream (position, recovery). */
  get stream(): FleetEventStream {
    return this.#stream;
  }

  /**
   * Publishes to the whole fleet; listeners get the event when it comes back through the
   * subscription, as on every other instance. Rejects with {@link NotLeaderError} when the
   * source's fencing token is missing or stale.
   */
  async publish(event: LiveEvent, origin?: PublishOrigin): Promise<void> {
    const topics = topicsOf(event);
    const stored: StoredFleetEvent = {
      t: topics,
      e: event,
      at: Date.now(),
      by: this.#redis.instanceId,
    };
    if (this.#fenceOf && origin) {
      const fence = this.#fenceOf(origin.source);
      if (fence === null) throw this.#refuse(origin.source);
      stored.src = origin.source;
      stored.fence = fence;
      const published = await this.#stream.publishFenced(
        JSON.stringify(stored),
        origin.source,
        fence,
      );
      if (!published) throw this.#refuse(origin.source);
      this.#fenced?.written("event", origin.source);
    } else {
      await this.#stream.publish(JSON.stringify(stored));
    }
    this.#counts.published++;
  }

  subscribe(listener: (e: PublishedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The same broker whose listeners get only the events this instance published: what must
   * happen once per event fleet-wide (alerts) listens here.
   */
  own(): Broker {
    return {
      publish: (event, origin) => this.publish(event, origin),
      subscribe: (listener) => {
        this.#ownListeners.add(listener);
        return () => this.#ownListeners.delete(listener);
      },
    };
  }

  /** Offset of the last event this instance delivered (0 before the first). */
  lastId(): number {
    return this.#subscriber.position.offset;
  }

  /**
   * Calls `listener` with the new epoch when Redis lost the stream (restarted empty, flushed):
   * event ids start again at 1, and it runs before any event of the new epoch is delivered.
   */
  onEpochChange(listener: (epoch: string) => void): () => void {
    this.#epochListeners.add(listener);
    return () => this.#epochListeners.delete(listener);
  }

  /** The stream's epoch as this instance follows it ("" until first connected). */
  epoch(): string {
    return this.#subscriber.position.epoch;
  }

  /**
   * Waits until this instance delivered `offset` of `epoch` (at most `catchUpMs`), so a
   * client that comes from an instance further ahead is not sent the difference twice.
   */
  async catchUp(epoch: string | undefined, offset: number): Promise<void> {
    if (epoch === undefined || epoch !== this.epoch()) return;
    await this.#reached(epoch, offset);
  }

  /**
   * The events after `afterId` of `epoch` on `topics`, in order: the stream's whole gap, or
   * `truncated` (with the current epoch) when the epoch changed, the stream no longer holds
   * the gap or Redis cannot be read.
   */
  async since(topics: readonly Topic[], afterId: number, epoch?: string): Promise<Replay> {
    const current = this.epoch();
    let r;
    try {
      r = await this.#stream.since(afterId, epoch ?? current);
    } catch {
      return { events: [], truncated: true, epoch: current };
    }
    if (!r.recovered) return { events: [], truncated: true, epoch: r.epoch };
    const last = r.events.at(-1)?.offset ?? afterId;
    // Events up to `last` reach the hub through this instance's fan-out as well; they are
    // deduplicated only if they arrive while the hub holds the connection's live events.
    if (!(await this.#reached(r.epoch, last))) {
      return { events: [], truncated: true, epoch: r.epoch };
    }
    const wanted = new Set(topics);
    const events: PublishedEvent[] = [];
    for (const e of r.events) {
      const published = decode(e);
      if (published && published.topics.some((t) => wanted.has(t))) events.push(published);
    }
    return { events, truncated: false, epoch: r.epoch };
  }

  /** Counters for `/health`. */
  stats(): FleetBrokerStats {
    const p: StreamPosition = this.#subscriber.position;
    return { epoch: p.epoch, last_event_id: p.offset, ...this.#counts };
  }

  /** Stops the subscription. */
  async close(): Promise<void> {
    await this.#subscriber.close();
    for (const w of this.#waiters) w.resolve(false);
    this.#waiters = [];
  }

  #refuse(source: string): NotLeaderError {
    this.#counts.fenced_out++;
    this.#fenced?.refused("event", source);
    return new NotLeaderError(source);
  }

  #epochChanged(epoch: string): void {
    for (const listener of [...this.#epochListeners]) {
      try {
        listener(epoch);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  #receive(e: FleetEvent): void {
    this.#counts.received++;
    const decoded = decodeStored(e);
    if (decoded) {
      this.#deliver(this.#listeners, decoded.published);
      if (decoded.by === this.#redis.instanceId) {
        this.#deliver(this.#ownListeners, decoded.published);
      }
    }
    this.#wake();
  }

  /** Hands `event` to each listener; one that throws does not keep it from the others. */
  #deliver(listeners: Set<(e: PublishedEvent) => void>, event: PublishedEvent): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  #reached(epoch: string, offset: number): Promise<boolean> {
    const p = this.#subscriber.position;
    if (p.epoch === epoch && p.offset >= offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = { epoch, offset, resolve };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(false);
      }, this.#catchUpMs);
      waiter.resolve = (ok) => {
        clearTimeout(timer);
        resolve(ok);
      };
      this.#waiters.push(waiter);
    });
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const p = this.#subscriber.position;
    this.#waiters = this.#waiters.filter((w) => {
      if (w.epoch !== p.epoch) {
        // The epoch moved on: the awaited events will never be delivered.
        w.resolve(false);
        return false;
      }
      if (p.offset < w.offset) return true;
      w.resolve(true);
      return false;
    });
  }
}

/** The published form of a stored event, with its offset as `event_id`. */
export function decode(e: FleetEvent): PublishedEvent | null {
  return decodeStored(e)?.published ?? null;
}

function decodeStored(e: FleetEvent): { published: PublishedEvent; by: string } | null {
  let stored: StoredFleetEvent;
  try {
    stored = JSON.parse(e.payload);
  } catch {
    return null;
  }
  if (!Array.isArray(stored.t) || typeof stored.e !== "object") return null;
  const published: PublishedEvent = {
    event_id: e.offset,
    topics: stored.t,
    event: stored.e,
    json: serialiseEvent(e.offset, stored.t, stored.e),
    published_at: stored.at,
  };
  if (stored.src !== undefined && stored.fence !== undefined) {
    published.fence = { source: stored.src, fence: stored.fence };
  }
  return { published, by: stored.by };
}
