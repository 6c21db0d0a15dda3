/**
 * The live event log: assigns every published event a monotonically increasing `event_id`,
 * keeps the last N events per topic in memory and in Deno KV, and answers "what did I miss on
 * these topics since event X" for reconnecting clients. Ids survive a restart (the KV twin
 * reloads the sequence and the retained events).
 * @module
 */
/// <reference lib="deno.unstable" />
import type { ServerMessage, Topic } from "../domain/live_protocol.ts";
import type { LiveEvent, PublishedEvent } from "./live_event.ts";

export type {
  Appended,
  EventLog,
  EventLogOptions,
  EventLogStats,
  KvEventLogOptions,
  Replay,
  ReplaySource,
} from "./event_log_port.ts";
import type {
  EventLog,
  EventLogOptions,
  EventLogStats,
  KvEventLogOptions,
  Replay,
} from "./event_log_port.ts";

interface StoredEvent {
  id: number;
  topics: Topic[];
  event: LiveEvent;
  published_at: number;
}

/** What the in-memory window does on each change, so the KV twin can mirror it. */
interface WindowSink {
  put(e: PublishedEvent): void;
  drop(id: number): void;
  floor(topic: Topic, id: number | null): void;
  globalFloor(id: number): void;
}

/** The wire form of a published event, serialised once. */
export function serialiseEvent(id: number, topics: Topic[], event: LiveEvent): string {
  const message: ServerMessage = event.type === "odds"
    ? { type: "odds", event_id: id, topic: topics[0], match: event.match, previous: event.previous }
    : { type: "value_bet", event_id: id, topic: topics[0], bet: event.bet };
  return JSON.stringify(message);
}

/** The bounded in-memory window shared by both implementations. */
class EventWindow {
  readonly events = new Map<number, { published: PublishedEvent; refs: number }>();
  readonly topics = new Map<Topic, number[]>();
  readonly floors = new Map<Topic, number>();
  globalFloor = 0;
  lastId = 0;
  readonly #perTopic: number;
  readonly #maxEvents: number;

  constructor(perTopic: number, maxEvents: number) {
    if (!(perTopic >= 1) || !(maxEvents >= 1)) {
      throw new RangeError(`Event log bounds must be >= 1, got ${perTopic} and ${maxEvents}`);
    }
    this.#perTopic = Math.floor(perTopic);
    this.#maxEvents = Math.floor(maxEvents);
  }

  add(published: PublishedEvent, sink?: WindowSink): void {
    this.lastId = Math.max(this.lastId, published.event_id);
    const entry = { published, refs: 0 };
    this.events.set(published.event_id, entry);
    sink?.put(published);
    for (const topic of new Set(published.topics)) {
      let ids = this.topics.get(topic);
      if (!ids) this.topics.set(topic, ids = []);
      ids.push(published.event_id);
      entry.refs++;
      if (ids.length > this.#perTopic) {
        const evicted = ids.shift()!;
        this.floors.set(topic, evicted);
        sink?.floor(topic, evicted);
        this.#release(evicted, sink);
      }
    }
    while (this.events.size > this.#maxEvents) {
      const [oldest] = this.events.keys();
      this.#evictEverywhere(oldest, sink);
    }
  }

  since(topics: readonly Topic[], afterId: number): Replay {
    const ids = new Set<number>();
    let truncated = afterId < this.globalFloor;
    for (const topic of new Set(topics)) {
      if (afterId < (this.floors.get(topic) ?? 0)) truncated = true;
      const list = this.topics.get(topic);
      if (!list) continue;
      // ids are ascending: scan from the end until we pass afterId.
      for (let i = list.length - 1; i >= 0 && list[i] > afterId; i--) ids.add(list[i]);
    }
    const events = [...ids].sort((a, b) => a - b).map((id) => this.events.get(id)!.published);
    return { events, truncated };
  }

  #release(id: number, sink?: WindowSink): void {
    const entry = this.events.get(id);
    if (entry && --entry.refs <= 0) {
      this.events.delete(id);
      sink?.drop(id);
    }
  }

  #evictEverywhere(id: number, sink?: WindowSink): void {
    const entry = this.events.get(id)!;
    for (const topic of new Set(entry.published.topics)) {
      const list = this.topics.get(topic);
      // The globally oldest event is the oldest of every topic it is still in.
      if (list && list[0] === id) {
        list.shift();
        if (list.length === 0) {
          this.topics.delete(topic);
          if (this.floors.delete(topic)) sink?.floor(topic, null);
        } else {
          this.floors.set(topic, id);
          sink?.floor(topic, id);
        }
      }
    }
    this.events.delete(id);
    sink?.drop(id);
    this.globalFloor = Math.max(this.globalFloor, id);
    sink?.globalFloor(this.globalFloor);
  }
}

function makeAppend(window: EventWindow, now: () => number) {
  return function build(event: LiveEvent, topics: Topic[]): PublishedEvent {
    if (topics.length === 0) throw new TypeError("A live event needs at least one topic");
    const id = window.lastId + 1;
    return {
      event_id: id,
      topics,
      event,
      json: serialiseEvent(id, topics, event),
      published_at: now(),
    };
  };
}

function statsOf(window: EventWindow, failures: number, notPersisted: number): EventLogStats {
  return {
    last_event_id: window.lastId,
    retained_events: window.events.size,
    topics: window.topics.size,
    persist_failures: failures,
    not_persisted: notPersisted,
  };
}

/** An event log held in memory only (ids restart from 1 with the process): for unit tests. */
export function createMemoryEventLog(options: EventLogOptions = {}): EventLog {
  const window = new EventWindow(options.perTopic ?? 500, options.maxEvents ?? 20_000);
  const build = makeAppend(window, options.now ?? Date.now);
  return {
    append: function append(event, topics) {
      const published = build(event, topics);
      window.add(published);
      return { published, persisted: Promise.resolve() };
    },
    since: function since(topics, afterId) {
      return Promise.resolve(window.since(topics, afterId));
    },
    lastId: () => window.lastId,
    stats: () => statsOf(window, 0, 0),
    close: () => Promise.resolve(),
  };
}

// Deno KV: at most 1000 mutations and ~800 KiB per atomic operation; stay well below.
const BATCH_MUTATIONS = 200;
const BATCH_BYTES = 400_000;

type Mutation =
  | { kind: "set"; key: Deno.KvKey; value: unknown; bytes: number }
  | { kind: "delete"; key: Deno.KvKey };

/**
 * An event log persisted in Deno KV with an in-memory window in front: appends are recorded in
 * memory at once (so fan-out never waits for disk) and written to KV in batches, in order.
 * On open, the sequence, retained events and eviction floors are reloaded, so event ids keep
 * increasing across restarts. One process per KV file (the fleet uses Redis instead).
 */
export async function openKvEventLog(
  kv: Deno.Kv,
  options: KvEventLogOptions = {},
): Promise<EventLog> {
  const prefix = options.prefix ?? ["live_events"];
  const maxPersistBytes = options.maxPersistBytes ?? 60_000;
  const window = new EventWindow(options.perTopic ?? 500, options.maxEvents ?? 20_000);
  const build = makeAppend(window, options.now ?? Date.now);

  // Reload: events in id order rebuild the per-topic windows (no sink: nothing to write back
  // except events the smaller bounds now evict, which we delete below).
  const seq = await kv.get<number>([...prefix, "seq"]);
  const reloadDrops: number[] = [];
  const reloadSink: WindowSink = {
    put() {},
    drop: (id) => reloadDrops.push(id),
    floor() {},
    globalFloor() {},
  };
  for await (const entry of kv.list<StoredEvent>({ prefix: [...prefix, "e"] })) {
    const s = entry.value;
    window.add({
      event_id: s.id,
      topics: s.topics,
      event: s.event,
      json: serialiseEvent(s.id, s.topics, s.event),
      published_at: s.published_at,
    }, reloadSink);
  }
  for await (const entry of kv.list<number>({ prefix: [...prefix, "f"] })) {
    const topic = entry.key[entry.key.length - 1] as Topic;
    if (window.topics.has(topic)) {
      window.floors.set(topic, Math.max(window.floors.get(topic) ?? 0, entry.value));
    }
  }
  const gf = await kv.get<number>([...prefix, "gf"]);
  window.globalFloor = Math.max(window.globalFloor, gf.value ?? 0);
  window.lastId = Math.max(window.lastId, seq.value ?? 0);

  let failures = 0;
  let notPersisted = 0;
  let queue: Mutation[] = reloadDrops.map((id) => ({ kind: "delete", key: [...prefix, "e", id] }));
  let waiters: (() => void)[] = [];
  let flushing: Promise<void> | null = null;
  const tooBig = new Set<number>();

  const sink: WindowSink = {
    put(e) {
      const value: StoredEvent = {
        id: e.event_id,
        topics: e.topics,
        event: e.event,
        published_at: e.published_at,
      };
      if (e.json.length > maxPersistBytes) {
        notPersisted++;
        tooBig.add(e.event_id);
      } else {
        queue.push({ kind: "set", key: [...prefix, "e", e.event_id], value, bytes: e.json.length });
      }
      queue.push({ kind: "set", key: [...prefix, "seq"], value: e.event_id, bytes: 16 });
    },
    drop(id) {
      if (!tooBig.delete(id)) queue.push({ kind: "delete", key: [...prefix, "e", id] });
    },
    floor(topic, id) {
      const key = [...prefix, "f", topic];
      queue.push(
        id === null ? { kind: "delete", key } : { kind: "set", key, value: id, bytes: 16 },
      );
    },
    globalFloor(id) {
      queue.push({ kind: "set", key: [...prefix, "gf"], value: id, bytes: 16 });
    },
  };

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      const done = waiters;
      queue = [];
      waiters = [];
      for (let start = 0; start < batch.length;) {
        const op = kv.atomic();
        let bytes = 0;
        let n = 0;
        while (start < batch.length && n < BATCH_MUTATIONS && bytes < BATCH_BYTES) {
          const m = batch[start++];
          n++;
          if (m.kind === "set") {
            bytes += m.bytes;
            op.set(m.key, m.value);
          } else op.delete(m.key);
        }
        try {
          const result = await op.commit();
          if (!result.ok) failures++;
        } catch (error) {
          failures++;
          console.error("Cannot persist live events:", error);
        }
      }
      for (const resolve of done) resolve();
    }
  }

  function schedule(): Promise<void> {
    const persisted = new Promise<void>((resolve) => waiters.push(resolve));
    if (!flushing) {
      flushing = flush().finally(() => {
        flushing = null;
      });
    }
    return persisted;
  }

  if (queue.length > 0) await schedule();

  return {
    append: function append(event, topics) {
      const published = build(event, topics);
      window.add(published, sink);
      return { published, persisted: schedule() };
    },
    since: function since(topics, afterId) {
      return Promise.resolve(window.since(topics, afterId));
    },
    lastId: () => window.lastId,
    stats: () => statsOf(window, failures, notPersisted),
    close: async function close() {
      while (flushing) await flushing;
    },
  };
}
