import assert from "node:assert/strict";
import type { BookmakerPrices } from "../domain/bookmakers.ts";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import { type LifecycleState, lifecycleStep, stateAfter } from "./alert_lifecycle.ts";
import { openAlertEngine } from "./alerts.ts";
import { createLocalBroker, type LiveEvent } from "./broker.ts";
import { fixtureMatch } from "./event_fixtures.ts";
import { createMemoryEventLog } from "./event_log.ts";
import { ValueBetTracker } from "./value_bet_tracker.ts";

const THRESHOLDS = { openEdge: 0.03, closeEdge: 0.01 };
/** Ten moves of the edge across the open threshold and back, never below the close one. */
const WIGGLES = [0.034, 0.027, 0.036, 0.022, 0.031, 0.025, 0.038, 0.019, 0.033, 0.028];

Deno.test("lifecycleStep: ten wiggles around the threshold open once and never close", () => {
  let state: LifecycleState = "none";
  const steps = WIGGLES.map((edge) => {
    const step = lifecycleStep(state, { edge, kickedOff: false }, THRESHOLDS);
    state = stateAfter(state, step);
    return step;
  });
  assert.deepEqual(steps, ["open", ...Array(9).fill("update")]);
  assert.equal(lifecycleStep("open", { edge: 0.009, kickedOff: false }, THRESHOLDS), "close");
  assert.equal(lifecycleStep("open", { edge: 0.2, kickedOff: true }, THRESHOLDS), "close");
  assert.equal(lifecycleStep("open", { edge: undefined, kickedOff: false }, THRESHOLDS), "close");
  assert.equal(lifecycleStep("closed", { edge: 0.02, kickedOff: false }, THRESHOLDS), "none");
  assert.equal(lifecycleStep("closed", { edge: 0.03, kickedOff: false }, THRESHOLDS), "open");
  assert.equal(lifecycleStep("none", { edge: 0.5, kickedOff: true }, THRESHOLDS), "none");
});

Deno.test("alerts: a price wiggling around the threshold makes one alert, settled once at kick-off", async () => {
  const kickoff = Date.parse("2030-01-01T15:00:00.000Z");
  const clock = { now: kickoff - 3600_000 };
  const broker = createLocalBroker(createMemoryEventLog({ now: () => clock.now }));
  const alerts = await openAlertEngine({ broker, now: () => clock.now });
  const engine = createMemoryEngine();
  const tracker = new ValueBetTracker();
  const view = fixtureMatch();
  // Pinnacle fixes the fair price; the slow book's home price moves the edge.
  const pinnacle: BookmakerPrices = { name: "Pinnacle", home: 1.5, draw: 4.4, away: 6.5 };
  const request = { league: "EPL", home_team: "Arsenal", away_team: "Burnley" };
  const fairHome =
    (await engine.predict({ ...request, bookmakers: [pinnacle] })).probabilities.home_win;
  const events: LiveEvent[] = [];
  async function observe(edge: number) {
    const slow: BookmakerPrices = { name: "Slow", home: (1 + edge) / fairHome, draw: 3, away: 4 };
    const prediction = await engine.predict({ ...request, bookmakers: [pinnacle, slow] });
    for (const e of tracker.update(view, prediction)) {
      events.push(e);
      await broker.publish(e);
    }
    clock.now += 60_000;
  }
  for (const edge of WIGGLES) await observe(edge);
  const actions = events.map((e) => e.type === "value_bet" ? e.bet.action : e.type);
  assert.equal(actions.filter((a) => a === "open").length, 1);
  assert.equal(actions.filter((a) => a === "close").length, 0);
  assert.equal(actions.filter((a) => a === "update").length, 9);
  await alerts.settle();
  assert.equal(alerts.performance().count, 1);
  const [alert] = alerts.list().alerts;
  assert.equal(alert.status, "open");
  assert.equal(alert.bookmaker, "Slow");
  assert.ok(Math.abs(alert.edge - WIGGLES[0]) < 1e-9, "opened at the first edge");
  assert.ok(Math.abs(alert.latest_edge! - WIGGLES.at(-1)!) < 1e-9, "follows the edge");

  await observe(0.005); // below the close edge: closes
  await observe(0.04); // back above the open edge: the same alert reopens
  assert.equal(alerts.performance().count, 1);
  assert.equal(alerts.list().alerts[0].status, "open");

  clock.now = kickoff + 1;
  await alerts.settle();
  await alerts.close();
  assert.equal(alerts.performance().count, 1);
  assert.equal(alerts.list().alerts[0].status, "closed", "closed at kick-off");
});
