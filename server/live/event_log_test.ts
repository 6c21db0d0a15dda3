import assert from "node:assert/strict";
import type { Topic } from "../domain/live_protocol.ts";
import { createMemoryEventLog, type EventLog, openKvEventLog } from "./event_log.ts";
import { oddsEvent, valueBetEvent } from "./event_fixtures.ts";
import { topicsOf } from "./broker.ts";

function add(log: EventLog, matchId: string, league = "england-premier-league"): number {
  const e = oddsEvent({ id: matchId, league });
  return log.append(e, topicsOf(e)).published.event_id;
}

function ids(events: { event_id: number }[]): number[] {
  return events.map((e) => e.event_id);
}

Deno.test("eventLog: assigns increasing ids and replays each missed event once, in order", async () => {
  const log = createMemoryEventLog();
  assert.equal(log.lastId(), 0);
  add(log, "a");
  add(log, "b");
  const vb = valueBetEvent({ match_id: "a" });
  log.append(vb, topicsOf(vb));
  add(log, "a", "spain-laliga");
  assert.equal(log.lastId(), 4);
  // `matches` and `match:a` overlap: events 1 and 4 are on both, each comes once.
  const r = await log.since(["matches", "match:a"], 0);
  assert.deepEqual(ids(r.events), [1, 2, 3, 4]);
  assert.equal(r.truncated, false);
  assert.deepEqual(ids((await log.since(["match:a"], 1)).events), [3, 4]);
  assert.deepEqual(ids((await log.since(["value-bets"], 0)).events), [3]);
  assert.deepEqual(ids((await log.since(["league:spain-laliga"], 0)).events), [4]);
  assert.deepEqual(ids((await log.since(["match:zzz"], 0)).events), []);
  const first = (await log.since(["match:a"], 0)).events[0];
  assert.deepEqual(JSON.parse(first.json), {
    type: "odds",
    event_id: 1,
    topic: "match:a",
    match: (first.event as { match: unknown }).match,
    previous: null,
  });
  await log.close();
});

Deno.test("eventLog: keeps the last N per topic and reports a truncated replay", async () => {
  const log = createMemoryEventLog({ perTopic: 3 });
  for (let i = 0; i < 5; i++) add(log, `m${i % 2}`);
  // matches: 1..5 -> keeps 3,4,5; match:m0 has 1,3,5 (3 kept); match:m1 has 2,4.
  const all = await log.since(["matches"], 0);
  assert.deepEqual(ids(all.events), [3, 4, 5]);
  assert.equal(all.truncated, true);
  const recent = await log.since(["matches"], 2);
  assert.deepEqual(ids(recent.events), [3, 4, 5]);
  assert.equal(recent.truncated, false);
  // Event 1 is still in match:m0's window even though `matches` dropped it.
  assert.deepEqual(ids((await log.since(["match:m0"], 0)).events), [1, 3, 5]);
  assert.equal(log.stats().retained_events, 5);
});

Deno.test("eventLog: a global bound evicts the oldest events from every topic", async () => {
  const log = createMemoryEventLog({ perTopic: 100, maxEvents: 4 });
  for (let i = 0; i < 6; i++) add(log, `m${i}`);
  assert.equal(log.stats().retained_events, 4);
  const r = await log.since(["matches", "match:m0"], 0);
  assert.deepEqual(ids(r.events), [3, 4, 5, 6]);
  assert.equal(r.truncated, true);
  assert.equal((await log.since(["matches"], 2)).truncated, false);
  assert.equal(log.stats().topics, 6);
});

Deno.test("eventLog: rejects bad bounds and events without topics", () => {
  assert.throws(() => createMemoryEventLog({ perTopic: 0 }), RangeError);
  const log = createMemoryEventLog();
  assert.throws(() => log.append(oddsEvent(), [] as Topic[]), TypeError);
});

Deno.test("kvEventLog: ids and retained events survive a reopen", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  try {
    let kv = await Deno.openKv(path);
    let log = await openKvEventLog(kv, { perTopic: 2 });
    // matches keeps 4,5; match:m0 keeps 3,5; match:m1 keeps 2,4: event 1 left every window.
    for (let i = 0; i < 5; i++) add(log, `m${i % 2}`);
    await log.close();
    kv.close();

    kv = await Deno.openKv(path);
    log = await openKvEventLog(kv, { perTopic: 2 });
    assert.equal(log.lastId(), 5);
    const r = await log.since(["matches"], 0);
    assert.deepEqual(ids(r.events), [4, 5]);
    assert.equal(r.truncated, true);
    assert.equal((await log.since(["matches"], 3)).truncated, false);
    assert.deepEqual(ids((await log.since(["match:m0"], 0)).events), [3, 5]);
    assert.deepEqual(ids((await log.since(["match:m1"], 0)).events), [2, 4]);
    assert.equal(JSON.parse(r.events[0].json).event_id, 4);
    const next = add(log, "m9");
    assert.equal(next, 6);
    await log.close();
    assert.equal((await kv.get(["live_events", "e", 1])).value, null);
    assert.notEqual((await kv.get(["live_events", "e", 2])).value, null);
    assert.notEqual((await kv.get(["live_events", "e", 6])).value, null);
    assert.equal((await kv.get<number>(["live_events", "seq"])).value, 6);
    kv.close();
  } finally {
    await Deno.remove(path).catch(() => {});
  }
});

Deno.test("kvEventLog: an event too large for KV is served from memory and counted", async () => {
  const kv = await Deno.openKv(":memory:");
  const log = await openKvEventLog(kv, { maxPersistBytes: 1000 });
  const e = oddsEvent({ padding: 5000 });
  const { published, persisted } = log.append(e, topicsOf(e));
  await persisted;
  assert.equal(log.stats().not_persisted, 1);
  assert.deepEqual(ids((await log.since(["matches"], 0)).events), [published.event_id]);
  assert.equal((await kv.get(["live_events", "e", 1])).value, null);
  assert.equal((await kv.get<number>(["live_events", "seq"])).value, 1);
  await log.close();
  kv.close();
});
