/**
 * Live events across the fleet, with the Centrifugo history contract: every event gets a
 * fleet-wide offset, is kept in a bounded Redis stream and is PUBLISHed, all in one script so
 * offsets, the stream and the channel never disagree. The stream has an epoch, a random id kept
 * in Redis and made anew when missing: after a FLUSHALL or a restart without persistence the
 * epoch changes and a client's old offset is known to mean nothing.
 *
 * {@link FleetEventStream.since} answers with the whole gap after an offset or with
 * `recovered: false`, never with part of a gap: a client then reloads the current state, as it
 * does when the embedded event log's replay is truncated.
 * @module
 */
import { LuaScript } from "./lua_script.ts";
import type { FleetRedis } from "./redis_client.ts";

/** An event as the fleet stores and delivers it. */
export interface FleetEvent {
  /** Fleet-wide, gap-free, increasing within an epoch (1 is the first). */
  offset: number;
  /** The stream's epoch when the event was published. */
  epoch: string;
  /** The event's wire form (e.g. the `ServerMessage` JSON), delivered as it is. */
  payload: string;
}

/** Where the stream stands: its epoch and the offset of its last event (0 when none). */
export interface StreamPosition {
  epoch: string;
  offset: number;
}

/** The answer of {@link FleetEventStream.since}. */
export type StreamRecovery =
  | { recovered: true; epoch: string; events: FleetEvent[] }
  | { recovered: false; epoch: string };

/** Options of {@link FleetEventStream}. */
export interface FleetEventStreamOptions {
  /** Name of the stream; keys are `<name>:offset`, `:stream`, `:epoch`. @default "events" */
  name?: string;
  /** Events the stream keeps, at least (trimmed with MAXLEN ~, so a little more). @default 10000 */
  maxLen?: number;
}

// Shared head of both scripts: read the epoch, or start a new one (and a new history, so
// offsets of an old epoch never mix with a new one).
const EPOCH = `local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[3], epoch)
  redis.call('DEL', KEYS[1], KEYS[2])
end
`;

const APPEND = `local offset = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], offset .. '-0', 'e', ARGV[2])
redis.call('PUBLISH', ARGV[4], epoch .. ' ' .. offset .. ' ' .. ARGV[2])
return {epoch, offset}`;

const PUBLISH = new LuaScript(EPOCH + APPEND, 3);

// The fencing check runs in the same script as the append: between a check and a separate
// append a new leader could take over, and the stale leader's event would still go out.
const FENCED_PUBLISH = new LuaScript(
  `if tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(ARGV[5]) then return {'', 0} end
` + EPOCH + APPEND,
  4,
);

const SINCE = new LuaScript(
  EPOCH + `local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if epoch ~= ARGV[2] then return {epoch, 0, last} end
local after = tonumber(ARGV[3])
if after > last then return {epoch, 0, last} end
if after == last then return {epoch, 1, last} end
local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #oldest == 0 or tonumber(string.match(oldest[1][1], '^%d+')) > after + 1 then
  return {epoch, 0, last}
end
local out = {epoch, 1, last}
for _, entry in ipairs(redis.call('XRANGE', KEYS[2], (after + 1) .. '-0', '+')) do
  out[#out + 1] = entry[1]
  out[#out + 1] = entry[2][2]
end
return out`,
  3,
);

const POSITION = new LuaScript(
  EPOCH + `return {epoch, tonumber(redis.call('GET', KEYS[1]) or '0')}`,
  3,
);

/** Parses a channel message `"<epoch> <offset> <payload>"`. */
export function parseEventMessage(message: string): FleetEvent | null {
  const a = message.indexOf(" ");
  const b = a < 0 ? -1 : message.indexOf(" ", a + 1);
  if (b < 0) return null;
  const offset = Number(message.slice(a + 1, b));
  if (!Number.isSafeInteger(offset) || offset < 1) return null;
  return { epoch: message.slice(0, a), offset, payload: message.slice(b + 1) };
}

/** The fleet's event stream: publish, read the position, recover a gap. */
export class FleetEventStream {
  /** The pub/sub channel (ioredis prefixes keys, not channels: the prefix is spelt out). */
  readonly channel: string;
  readonly redis: FleetRedis;
  readonly #keys: string[];
  readonly #maxLen: number;

  constructor(redis: FleetRedis, options: FleetEventStreamOptions = {}) {
    const name = options.name ?? "events";
    this.redis = redis;
    this.channel = `${redis.keyPrefix}${name}`;
    this.#keys = [`${name}:offset`, `${name}:stream`, `${name}:epoch`];
    this.#maxLen = options.maxLen ?? 10_000;
  }

  /** Assigns the next offset, appends the event to the stream and publishes it, atomically. */
  async publish(payload: string): Promise<FleetEvent> {
    const [epoch, offset] = await this.redis.timed(
      "event_publish",
      (r) => PUBLISH.run(r, this.#keys, [crypto.randomUUID(), payload, this.#maxLen, this.channel]),
    ) as [string, number];
    return { epoch, offset: Number(offset), payload };
  }

  /**
   * {@link publish} guarded by a fencing token: the event is appended and published only if
   * `fence` is still the newest token of `source` (see `source_lease.ts`); a writer whose lease
   * was taken over gets null and nothing is written.
   */
  async publishFenced(payload: string, source: string, fence: number): Promise<FleetEvent | null> {
    const keys = [...this.#keys, `fence:${source}`];
    const args = [crypto.randomUUID(), payload, this.#maxLen, this.channel, fence];
    const [epoch, offset] = await this.redis.timed(
      "event_publish",
      (r) => FENCED_PUBLISH.run(r, keys, args),
    ) as [string, number];
    if (Number(offset) === 0) return null;
    return { epoch, offset: Number(offset), payload };
  }

  /** The current epoch and last offset (creates the epoch when missing). */
  async position(): Promise<StreamPosition> {
    const [epoch, offset] = await this.redis.timed(
      "event_position",
      (r) => POSITION.run(r, this.#keys, [crypto.randomUUID()]),
    ) as [string, number];
    return { epoch, offset: Number(offset) };
  }

  /**
   * Every event after `offset` of `epoch`, in order, or `recovered: false` with the current
   * epoch when the epoch changed or the stream no longer holds the whole gap.
   */
  async since(offset: number, epoch: string): Promise<StreamRecovery> {
    const reply = await this.redis.timed(
      "event_since",
      (r) => SINCE.run(r, this.#keys, [crypto.randomUUID(), epoch, offset]),
    ) as (string | number)[];
    const current = String(reply[0]);
    if (reply[1] !== 1) return { recovered: false, epoch: current };
    const events: FleetEvent[] = [];
    for (let i = 3; i < reply.length; i += 2) {
      const id = String(reply[i]);
      events.push({
        offset: Number(id.slice(0, id.indexOf("-"))),
        epoch: current,
        payload: String(reply[i + 1]),
      });
    }
    return { recovered: true, epoch: current, events };
  }
}
