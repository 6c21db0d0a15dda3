import assert from "node:assert/strict";
import { createLocalBroker, type PublishedEvent, topicsOf } from "./broker.ts";
import { createMemoryEventLog } from "./event_log.ts";
import { oddsEvent, valueBetEvent } from "./event_fixtures.ts";

Deno.test("topicsOf: odds and value bets go to their match, league and feed topics", () => {
  assert.deepEqual(topicsOf(oddsEvent({ id: "x", league: "spain-laliga" })), [
    "match:x",
    "league:spain-laliga",
    "matches",
  ]);
  assert.deepEqual(topicsOf(valueBetEvent({ match_id: "y" })), [
    "match:y",
    "league:england-premier-league",
    "value-bets",
  ]);
});

Deno.test("localBroker: listeners get events in id order, a throwing listener does not stop others", async () => {
  const log = createMemoryEventLog();
  const errors: unknown[] = [];
  const broker = createLocalBroker(log, { onListenerError: (e) => errors.push(e) });
  const seen: PublishedEvent[] = [];
  broker.subscribe(() => {
    throw new Error("boom");
  });
  const off = broker.subscribe((e) => seen.push(e));
  await broker.publish(oddsEvent());
  await broker.publish(valueBetEvent());
  off();
  await broker.publish(oddsEvent());
  assert.deepEqual(seen.map((e) => e.event_id), [1, 2]);
  assert.equal(seen[1].event.type, "value_bet");
  assert.equal(JSON.parse(seen[1].json).type, "value_bet");
  assert.equal(errors.length, 3);
  assert.equal(log.lastId(), 3);
});
