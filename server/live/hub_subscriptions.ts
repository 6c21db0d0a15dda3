/**
 * Topic subscriptions of the hub's connections: fan-out of a published event to the
 * connections on its topics (each once), and replay of missed events on `subscribe {since}`
 * before live ones. Live events arriving during a replay are held and merged, so there are no
 * duplicates and no gaps.
 * @module
 */
import type { ServerMessage, Topic, UpcomingMatch } from "../domain/live_protocol.ts";
import type { Replay, ReplaySource } from "./event_log.ts";
import type { Connection, ConnectionOwner } from "./hub_connection.ts";
import type { Outbox } from "./hub_outbox.ts";
import type { PublishedEvent } from "./live_event.ts";

/** Options of {@link Subscriptions}. */
export interface SubscriptionsOptions {
  owner: ConnectionOwner;
  outbox: Outbox;
  /** Where replays come from and where `last_event_id` is read. */
  log: ReplaySource;
  /** The current matches of topics, for a replay that cannot be recovered. @default none */
  snapshot?: (topics: Topic[]) => Promise<UpcomingMatch[]>;
  maxSubscriptions: number;
}

/** Which connection listens on which topic. */
export class Subscriptions {
  readonly #owner: ConnectionOwner;
  readonly #outbox: Outbox;
  readonly #log: ReplaySource;
  readonly #snapshot: ((topics: Topic[]) => Promise<UpcomingMatch[]>) | undefined;
  readonly #maxSubscriptions: number;
  readonly #byTopic = new Map<Topic, Set<Connection>>();
  #replays = 0;

  constructor(options: SubscriptionsOptions) {
    this.#owner = options.owner;
    this.#outbox = options.outbox;
    this.#log = options.log;
    this.#snapshot = options.snapshot;
    this.#maxSubscriptions = options.maxSubscriptions;
  }

  /** Delivers `event` to every connection subscribed to one of its topics, once. */
  broadcast(event: PublishedEvent): void {
    const id = event.event_id;
    const t = performance.now();
    for (const topic of event.topics) {
      const subscribers = this.#byTopic.get(topic);
      if (!subscribers) continue;
      for (const conn of subscribers) {
        if (conn.lastEventId === id) continue;
        conn.lastEventId = id;
        this.#outbox.deliver(conn, event, t);
      }
    }
  }

  /**
   * Subscribes `conn` to `topics`, replaying what it missed after `since` (of `epoch`, in fleet
   * mode) when given.
   */
  async subscribe(
    conn: Connection,
    topics: Topic[],
    since?: number,
    epoch?: string,
  ): Promise<void> {
    const requested = [...new Set(topics)];
    const fresh = requested.filter((t) => !conn.topics.has(t));
    if (conn.topics.size + fresh.length > this.#maxSubscriptions) {
      this.#owner.fail(
        conn,
        "too_many_subscriptions",
        `At most ${this.#maxSubscriptions} subscriptions per connection`,
      );
      return;
    }
    const log = this.#log;
    if (since === undefined) {
      const lastId = log.lastId();
      for (const t of fresh) this.#add(conn, t, lastId);
      this.#outbox.reply(conn, {
        type: "subscribed",
        topics: requested,
        replayed: 0,
        truncated: false,
        last_event_id: lastId,
        ...epochOf(log),
      });
      return;
    }
    // A fleet instance behind the one the client comes from first receives up to `since`:
    // those events would otherwise reach the client a second time as live ones.
    await log.catchUp?.(epoch, since);
    if (conn.closed) return;
    // Start holding live events *before* reading the log: every event is then either in the
    // replay, among the held ones, or both (deduped below) - never in neither.
    const before = new Map(conn.topics);
    this.#outbox.holdForReplay(conn);
    for (const t of fresh) this.#add(conn, t, since);
    this.#replays++;
    let replay: Replay | null;
    try {
      replay = await log.since(requested, since, epoch);
    } catch (error) {
      console.error("Cannot replay live events:", error);
      replay = null;
    }
    if (conn.closed) return;
    const merged = new Map<number, PublishedEvent>();
    for (const event of replay?.events ?? []) {
      if (!alreadyDelivered(event, before)) merged.set(event.event_id, event);
    }
    const replayed = merged.size;
    for (const event of this.#outbox.releaseHeld(conn)) merged.set(event.event_id, event);
    for (const t of requested) conn.topics.set(t, Math.min(conn.topics.get(t)!, since));
    const ordered = [...merged.values()].sort((a, b) => a.event_id - b.event_id);
    for (const event of ordered) if (!this.#outbox.send(conn, event.json)) return;
    const truncated = replay?.truncated ?? true;
    const subscribed: ServerMessage = {
      type: "subscribed",
      topics: requested,
      replayed,
      truncated,
      last_event_id: log.lastId(),
    };
    if (replay?.epoch !== undefined) {
      subscribed.epoch = replay.epoch;
      subscribed.recovered = !truncated;
      if (truncated && this.#snapshot) {
        const snapshot = await this.#snapshotOrNone(requested);
        if (conn.closed) return;
        if (snapshot) subscribed.snapshot = snapshot;
      }
    }
    this.#outbox.reply(conn, subscribed);
    if (!replay) {
      this.#owner.fail(conn, "replay_failed", "Cannot replay missed events: reload the state");
    }
  }

  /**
   * The log started a new epoch (ids restart at 1): tells every subscribed connection with the
   * answer a `since` of the old epoch gets (`subscribed`, `recovered: false`, the new epoch and
   * a snapshot) before any event of the new epoch, which is held meanwhile. Events of the old
   * epoch still waiting in a connection's batch go out first. A connection in the middle of a
   * replay is left to that replay's own answer.
   */
  async resync(epoch: string): Promise<void> {
    const conns = new Set<Connection>();
    for (const set of this.#byTopic.values()) for (const c of set) conns.add(c);
    // Connections on the same topics share one snapshot, and all are asked for before any is
    // awaited, so the snapshot source can share one load of the store between them.
    const snapshots = new Map<string, Promise<UpcomingMatch[] | undefined>>();
    const done: Promise<void>[] = [];
    for (const conn of conns) {
      if (conn.closed || conn.heldForReplay) continue;
      // Holding starts now, before any event of the new epoch reaches this connection.
      this.#outbox.holdForReplay(conn);
      const holding = conn.heldForReplay!;
      const old = holding.length;
      conn.lastEventId = 0;
      for (const t of conn.topics.keys()) conn.topics.set(t, 0);
      const topics = [...conn.topics.keys()];
      const key = topics.join("\n");
      let snapshot = snapshots.get(key);
      if (!snapshot) {
        snapshot = this.#snapshotOrNone(topics);
        snapshots.set(key, snapshot);
      }
      // The answer runs in the connection's request queue: a `subscribe` the client sends
      // meanwhile waits for it instead of taking over the held events.
      done.push(conn.enqueueRequest(() => this.#finishResync(conn, epoch, holding, old, snapshot)));
    }
    await Promise.all(done);
  }

  async #finishResync(
    conn: Connection,
    epoch: string,
    holding: PublishedEvent[],
    old: number,
    snapshot: Promise<UpcomingMatch[] | undefined>,
  ): Promise<void> {
    const matches = await snapshot;
    // A replay that ran in between took the held events and answered in the new epoch.
    if (conn.closed || conn.heldForReplay !== holding) return;
    const held = this.#outbox.releaseHeld(conn);
    const fresh = held.slice(old);
    if (!held.slice(0, old).every((event) => this.#outbox.send(conn, event.json))) return;
    this.#outbox.reply(conn, {
      type: "subscribed",
      topics: [...conn.topics.keys()],
      replayed: 0,
      truncated: true,
      // The snapshot's position: the held events of the new epoch follow it.
      last_event_id: fresh.length > 0 ? fresh[0].event_id - 1 : this.#log.lastId(),
      epoch,
      recovered: false,
      ...(matches ? { snapshot: matches } : {}),
    });
    for (const event of fresh) {
      conn.lastEventId = event.event_id;
      if (!this.#outbox.send(conn, event.json)) break;
    }
  }

  /** The current state for `topics`, or none when it cannot be read (an empty list would say "no matches"). */
  #snapshotOrNone(topics: Topic[]): Promise<UpcomingMatch[] | undefined> {
    if (!this.#snapshot) return Promise.resolve(undefined);
    return this.#snapshot(topics).catch((error) => {
      console.error("Cannot read the live snapshot:", error);
      return undefined;
    });
  }

  unsubscribe(conn: Connection, topics: Topic[]): void {
    for (const t of topics) {
      if (conn.topics.delete(t)) this.#remove(conn, t);
    }
    this.#outbox.reply(conn, { type: "unsubscribed", topics: [...new Set(topics)] });
  }

  /** Takes a closed connection off every topic (its own topic map is kept). */
  forget(conn: Connection): void {
    for (const topic of conn.topics.keys()) this.#remove(conn, topic);
  }

  /** Subscriptions that replayed missed events. */
  get replays(): number {
    return this.#replays;
  }

  #add(conn: Connection, topic: Topic, deliveredUpTo: number): void {
    conn.topics.set(topic, deliveredUpTo);
    let set = this.#byTopic.get(topic);
    if (!set) this.#byTopic.set(topic, set = new Set());
    set.add(conn);
  }

  #remove(conn: Connection, topic: Topic): void {
    const set = this.#byTopic.get(topic);
    if (set?.delete(conn) && set.size === 0) this.#byTopic.delete(topic);
  }
}

function epochOf(log: ReplaySource): { epoch?: string } {
  const epoch = log.epoch?.();
  return epoch === undefined ? {} : { epoch };
}

function alreadyDelivered(event: PublishedEvent, before: Map<Topic, number>): boolean {
  for (const topic of event.topics) {
    const from = before.get(topic);
    if (from !== undefined && event.event_id > from) return true;
  }
  return false;
}
