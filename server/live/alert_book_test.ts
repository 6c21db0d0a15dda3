import assert from "node:assert/strict";
import {
  type Alert,
  AlertBook,
  type AlertChanges,
  type AlertStorage,
  openedAlert,
} from "./alert_book.ts";
import { valueBetEvent } from "./event_fixtures.ts";

function alert(id: number, fields: Partial<Alert> = {}): Alert {
  const event = valueBetEvent();
  if (event.type !== "value_bet") throw new Error("Not a value-bet event");
  const at = "2030-01-01T12:00:00.000Z";
  return { ...openedAlert(event.bet, { id, event_id: id, at }), ...fields };
}

/** A storage twin whose writes are refused while `refuse` is set. */
function storage(initial: Alert[] = []) {
  const pending: AlertChanges = { alerts: [], dropped: [] };
  const twin = {
    refuse: false,
    load: () => Promise.resolve({ alerts: initial, seq: initial.length }),
    save: () => Promise.resolve(!twin.refuse),
    changes() {
      const out = { alerts: pending.alerts.splice(0), dropped: pending.dropped.splice(0) };
      return Promise.resolve(out);
    },
    pending,
  };
  return twin satisfies AlertStorage;
}

Deno.test("AlertBook: latestFor finds the newest alert of a bet, open or closed", async (t) => {
  await t.step("closed alerts stay found; another bet is not", async () => {
    const book = await AlertBook.open({ maxAlerts: 10 });
    await book.save(alert(1, { status: "closed" }));
    await book.save(alert(2, { selection: "draw" }));
    assert.equal(book.latestFor({ match_id: "m1", market: "1x2", selection: "home" })?.id, 1);
    assert.equal(book.latestFor({ match_id: "m1", market: "1x2", selection: "away" }), undefined);
    await book.save(alert(3, { status: "closed" }));
    assert.equal(book.latestFor(alert(0))?.id, 3);
  });
  await t.step("a refused write leaves the bet's newest alert as it was", async () => {
    const s = storage([alert(1, { status: "closed" })]);
    const book = await AlertBook.open({ maxAlerts: 10, storage: s });
    s.refuse = true;
    assert.equal(await book.save(alert(2)), false);
    assert.equal(book.latestFor(alert(0))?.id, 1);
    assert.equal(book.openFor(alert(0)), undefined);
  });
  await t.step("a dropped alert is no longer found", async () => {
    const book = await AlertBook.open({ maxAlerts: 1 });
    await book.save(alert(1, { status: "closed" }));
    await book.save(alert(2, { match_id: "m2" }));
    assert.equal(book.latestFor(alert(0)), undefined);
    assert.equal(book.latestFor(alert(0, { match_id: "m2" }))?.id, 2);
  });
  await t.step("alerts other writers stored and dropped count too", async () => {
    const s = storage();
    const book = await AlertBook.open({ maxAlerts: 10, storage: s });
    s.pending.alerts.push(alert(7, { status: "closed" }), alert(5, { status: "closed" }));
    await book.refresh();
    assert.equal(book.latestFor(alert(0))?.id, 7);
    // Alerts drop oldest first.
    s.pending.dropped.push(5);
    await book.refresh();
    assert.equal(book.latestFor(alert(0))?.id, 7);
    s.pending.dropped.push(7);
    await book.refresh();
    assert.equal(book.latestFor(alert(0)), undefined);
  });
});

Deno.test("AlertBook: alerts of other writers keep the book in id order", async () => {
  const s = storage([alert(1), alert(2, { match_id: "m2" })]);
  const book = await AlertBook.open({ maxAlerts: 10, storage: s });
  const ids = () => book.all().map((a) => a.id);
  // Updates keep their place, new alerts come in any order within a refresh.
  s.pending.alerts.push(alert(5, { match_id: "m5" }), alert(1, { latest_odds: 2.4 }));
  s.pending.alerts.push(alert(4, { match_id: "m4" }));
  await book.refresh();
  assert.deepEqual(ids(), [1, 2, 4, 5]);
  assert.equal(book.all()[0].latest_odds, 2.4);
  // A slower writer's alert below the newest one held.
  s.pending.alerts.push(alert(3, { match_id: "m3" }), alert(6, { match_id: "m6" }));
  await book.refresh();
  assert.deepEqual(ids(), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(book.list({ since: 2, limit: 2 }).alerts.map((a) => a.id), [3, 4]);
  // A refused write is undone without leaving the book out of order.
  s.refuse = true;
  assert.equal(await book.save(alert(7, { match_id: "m7" })), false);
  s.refuse = false;
  s.pending.alerts.push(alert(8, { match_id: "m8" }));
  await book.refresh();
  assert.deepEqual(ids(), [1, 2, 3, 4, 5, 6, 8]);
});
