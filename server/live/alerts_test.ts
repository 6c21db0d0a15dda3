import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import type { AlertStorage } from "./alert_book.ts";
import { createLocalBroker, type LiveEvent } from "./broker.ts";
import { createMemoryEventLog } from "./event_log.ts";
import { type AlertEngineOptions, openAlertEngine } from "./alerts.ts";
import { oddsEvent, valueBetEvent } from "./event_fixtures.ts";

const KICKOFF = Date.parse("2030-01-01T15:00:00.000Z");

function setup(options: Partial<AlertEngineOptions> = {}) {
  const clock = { now: KICKOFF - 3600_000 };
  const log = createMemoryEventLog({ now: () => clock.now });
  const broker = createLocalBroker(log);
  return {
    clock,
    broker,
    open: (extra: Partial<AlertEngineOptions> = {}) =>
      openAlertEngine({ broker, now: () => clock.now, ...options, ...extra }),
    publish: (e: LiveEvent) => broker.publish(e),
  };
}

Deno.test("alerts: value bets that pass the filter become alerts with the odds at alert time", async () => {
  const t = setup({
    filter: { minEdge: 0.05, minOdds: 1.5, maxOdds: 5, leagues: ["england-premier-league"] },
  });
  const engine = await t.open();
  await t.publish(valueBetEvent({ selection: "home", odds: 2.2, edge: 0.1 }));
  await t.publish(valueBetEvent({ selection: "draw", odds: 3.4, edge: 0.02 })); // edge too small
  await t.publish(valueBetEvent({ selection: "away", odds: 6, edge: 0.2 })); // odds too long
  await t.publish(valueBetEvent({ match_id: "m2", league: "spain-laliga" })); // league
  await t.publish(valueBetEvent({ selection: "home", action: "update", odds: 2.3, edge: 0.15 }));
  await t.publish(valueBetEvent({ selection: "draw", action: "update", odds: 3.6, edge: 0.08 }));
  await engine.settle(); // nothing kicked off yet
  await engine.close();
  const { alerts, next_since } = engine.list();
  assert.equal(alerts.length, 2);
  const [home, draw] = alerts;
  assert.equal(home.selection, "home");
  assert.equal(home.odds, 2.2);
  assert.equal(home.latest_odds, 2.3);
  assert.equal(home.event_id, 1);
  assert.equal(home.status, "open");
  assert.equal(home.clv_status, "pending");
  // An update that crosses the threshold opens an alert at its price.
  assert.equal(draw.selection, "draw");
  assert.equal(draw.odds, 3.6);
  assert.equal(next_since, 2);
  assert.deepEqual(engine.list({ since: 1 }).alerts.map((a) => a.id), [2]);
  assert.deepEqual(engine.list({ limit: 1 }).alerts.map((a) => a.id), [2]);
  assert.equal(engine.list({ since: "2000-01-01T00:00:00Z" }).alerts.length, 2);
  assert.equal(engine.list({ since: "2100-01-01T00:00:00Z" }).alerts.length, 0);
});

Deno.test("alerts: at kick-off the closing line value comes from the last prices before it", async () => {
  const t = setup();
  const engine = await t.open();
  await t.publish(oddsEvent({ home: 2.2, draw: 3.4, away: 3.6 }));
  await t.publish(valueBetEvent({ selection: "home", odds: 2.2, edge: 0.1 }));
  t.clock.now += 1800_000;
  // The market moves towards the home side before kick-off.
  await t.publish(oddsEvent({ home: 1.9, draw: 3.6, away: 4.4 }));
  await t.publish(valueBetEvent({ selection: "home", action: "close", odds: 1.9, edge: 0 }));
  assert.equal(await engine.settle(), 0);
  assert.equal(engine.list().alerts[0].status, "closed");
  assert.equal(engine.list().alerts[0].clv, null);

  t.clock.now = KICKOFF + 60_000;
  // Prices after kick-off are not the closing line.
  await t.publish(oddsEvent({ home: 1.2, draw: 6, away: 12 }));
  assert.equal(await engine.settle(), 1);
  const [alert] = engine.list().alerts;
  const implied = [1 / 1.9, 1 / 3.6, 1 / 4.4];
  const fairHome = implied[0] / (implied[0] + implied[1] + implied[2]);
  assert.equal(alert.clv_status, "recorded");
  assert.equal(alert.closing_odds, 1.9);
  assert.ok(Math.abs(alert.closing_fair_probability! - fairHome) < 1e-12);
  assert.ok(Math.abs(alert.clv! - (2.2 * fairHome - 1)) < 1e-12);
  assert.ok(alert.clv! > 0.1);
  // Settling again changes nothing; a result settles profit and ROI.
  assert.equal(await engine.settle(), 0);
  assert.equal(await engine.recordResult("m1", { home_goals: 2, away_goals: 1 }), 1);
  const perf = engine.performance();
  assert.equal(perf.count, 1);
  assert.equal(perf.with_clv, 1);
  assert.ok(Math.abs(perf.mean_clv! - alert.clv!) < 1e-12);
  assert.equal(perf.settled, 1);
  assert.equal(perf.wins, 1);
  assert.ok(Math.abs(perf.roi! - 1.2) < 1e-12);
  assert.equal(perf.beat_closing_line, 1);
  await assert.rejects(
    () => engine.recordResult("m1", { home_goals: -1, away_goals: 0 }),
    RangeError,
  );
  await engine.close();
});

Deno.test("alerts: an injected closing-odds provider and results provider settle at kick-off", async () => {
  const t = setup();
  const engine = await t.open({
    closingOdds: (id) =>
      Promise.resolve(
        id === "m1" ? { x12: { home: 2.5, draw: 3.2, away: 3 }, over_2_5: 2, under_2_5: 2 } : null,
      ),
    result: (id) => Promise.resolve(id === "m1" ? { home_goals: 0, away_goals: 0 } : null),
  });
  await t.publish(valueBetEvent({ selection: "home", odds: 2.2 }));
  await t.publish(valueBetEvent({ market: "totals_2_5", selection: "over", odds: 2.1 }));
  await t.publish(valueBetEvent({ match_id: "m9", selection: "away", odds: 4 }));
  t.clock.now = KICKOFF;
  assert.equal(await engine.settle(), 3);
  const [home, over, other] = engine.list().alerts;
  assert.equal(home.closing_odds, 2.5);
  assert.ok(home.clv! < 0);
  assert.equal(home.result, "lost");
  assert.equal(over.closing_fair_probability, 0.5);
  assert.ok(Math.abs(over.clv! - 0.05) < 1e-12);
  // No closing prices for m9 yet: CLV pending until the grace period ends.
  assert.equal(other.clv_status, "pending");
  assert.equal(other.status, "closed");
  t.clock.now = KICKOFF + 7 * 3600_000;
  await engine.settle();
  assert.equal(engine.list().alerts[2].clv_status, "unavailable");
  const perf = engine.performance();
  assert.equal(perf.settled, 2);
  assert.equal(perf.roi, -1);
  await engine.close();
});

Deno.test("alerts: alerts and last prices persist in KV across a reopen", async () => {
  const kv = await Deno.openKv(":memory:");
  const t = setup({ kv });
  let engine = await t.open();
  await t.publish(oddsEvent({ home: 2.2, draw: 3.4, away: 3.6 }));
  await t.publish(valueBetEvent({ selection: "home", odds: 2.2 }));
  await engine.close();
  engine = await t.open();
  assert.equal(engine.list().alerts.length, 1);
  // Still open after the restart: an update does not create a second alert.
  await t.publish(valueBetEvent({ selection: "home", action: "update", odds: 2.25 }));
  await t.publish(valueBetEvent({ selection: "draw", odds: 3.5 }));
  t.clock.now = KICKOFF + 1;
  await engine.settle();
  await engine.close();
  engine = await t.open();
  const alerts = engine.list().alerts;
  assert.deepEqual(alerts.map((a) => [a.id, a.selection, a.latest_odds]), [
    [1, "home", 2.25],
    [2, "draw", 3.5],
  ]);
  // Closing prices were the ones seen before the restart.
  assert.equal(alerts[0].closing_odds, 2.2);
  assert.equal(alerts[1].closing_odds, 3.4);
  await engine.close();
  kv.close();
});

Deno.test("alerts: rejects an impossible odds filter", async () => {
  await assert.rejects(() => openAlertEngine({ filter: { minOdds: 3, maxOdds: 2 } }), RangeError);
});

Deno.test("alerts: a closed alert reopens only on a value bet that passes the filter", async () => {
  const t = setup({ filter: { minEdge: 0.05, minOdds: 1.5, maxOdds: 5, leagues: null } });
  const engine = await t.open();
  await t.publish(valueBetEvent({ selection: "home", odds: 2.2, edge: 0.1 }));
  await t.publish(valueBetEvent({ selection: "home", action: "close", odds: 2, edge: 0 }));
  // Opens again at a price outside the odds range, then with too small an edge: no reopening.
  await t.publish(valueBetEvent({ selection: "home", action: "open", odds: 5.5, edge: 0.1 }));
  await t.publish(valueBetEvent({ selection: "home", action: "open", odds: 2.1, edge: 0.01 }));
  await engine.settle(); // waits for the events before it (nothing kicked off)
  assert.equal(engine.list().alerts[0].status, "closed");
  await t.publish(valueBetEvent({ selection: "home", action: "open", odds: 2.4, edge: 0.12 }));
  await engine.close();
  const { alerts } = engine.list();
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].status, "open");
  assert.equal(alerts[0].latest_odds, 2.4);
});

Deno.test("alerts: a refresh waiting on a slow store is not queued again behind itself", async () => {
  const clock = FakeTimers.install({ toFake: ["setInterval", "clearInterval"] });
  try {
    let calls = 0;
    let release = () => {};
    const slow = new Promise<void>((resolve) => release = resolve);
    const storage: AlertStorage = {
      load: () => Promise.resolve({ alerts: [], seq: 0 }),
      save: () => Promise.resolve(true),
      async changes() {
        calls++;
        await slow;
        return { alerts: [], dropped: [] };
      },
    };
    const engine = await openAlertEngine({ storage, refreshMs: 10 });
    // Ten refresh periods pass while the first refresh waits on the store.
    await clock.tickAsync(100);
    assert.equal(calls, 1);
    release();
    await engine.close();
    assert.equal(calls, 1);
  } finally {
    clock.uninstall();
  }
});
