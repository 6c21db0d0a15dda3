import assert from "node:assert/strict";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../../../server/http/app_env.ts";
import { HttpError } from "../../../../server/http/errors.ts";
import type { Services } from "../../../../server/services/services.ts";
import { createLocalBroker } from "../../../../server/live/broker.ts";
import { createMemoryEventLog } from "../../../../server/live/event_log.ts";
import { type AlertEngine, openAlertEngine } from "../../../../server/live/alerts.ts";
import { oddsEvent, valueBetEvent } from "../../../../server/live/event_fixtures.ts";
import { handler as listHandler } from "./index.ts";
import { handler as performanceHandler } from "./performance.ts";

function appWith(alerts: AlertEngine | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("services", { alerts } as unknown as Services);
    await next();
  });
  app.onError((err, c) => {
    const e = err instanceof HttpError ? err : new HttpError(500, "Internal error");
    return c.json(
      { error: { code: e.code, message: e.message, details: e.details } },
      e.status as ContentfulStatusCode,
    );
  });
  app.get("/api/v1/alerts", listHandler.GET!);
  app.get("/api/v1/alerts/performance", performanceHandler.GET!);
  return app;
}

async function engineWithAlerts(): Promise<AlertEngine> {
  let now = Date.parse("2030-01-01T10:00:00Z");
  const broker = createLocalBroker(createMemoryEventLog({ now: () => now }));
  const engine = await openAlertEngine({ broker, now: () => now });
  await broker.publish(oddsEvent({ home: 2.2, draw: 3.4, away: 3.6 }));
  for (const selection of ["home", "draw", "away"]) {
    await broker.publish(valueBetEvent({ selection, odds: selection === "home" ? 2.2 : 3.6 }));
  }
  now = Date.parse("2030-01-01T15:00:00Z");
  await engine.settle();
  await engine.recordResult("m1", { home_goals: 1, away_goals: 0 });
  return engine;
}

Deno.test("GET /api/v1/alerts: pages the log with since and limit", async () => {
  const engine = await engineWithAlerts();
  const app = appWith(engine);
  const all = await (await app.request("/api/v1/alerts")).json();
  assert.equal(all.count, 3);
  assert.deepEqual(all.alerts.map((a: { id: number }) => a.id), [1, 2, 3]);
  assert.equal(all.next_since, 3);
  assert.equal(all.filter.minEdge, 0.03);
  const page = await (await app.request("/api/v1/alerts?since=1&limit=1")).json();
  assert.deepEqual(page.alerts.map((a: { id: number }) => a.id), [2]);
  assert.equal(page.next_since, 2);
  const byTime = await (await app.request("/api/v1/alerts?since=2030-01-01T09:00:00Z")).json();
  assert.equal(byTime.count, 3);
  await engine.close();
});

Deno.test("GET /api/v1/alerts: bad query parameters are 422", async () => {
  const engine = await engineWithAlerts();
  const app = appWith(engine);
  for (const q of ["since=abc", "since=-1", "limit=0", "limit=5000", "limit=1.5", "other=1"]) {
    const res = await app.request(`/api/v1/alerts?${q}`);
    assert.equal(res.status, 422, q);
    assert.equal((await res.json()).error.code, "validation_failed");
  }
  await engine.close();
});

Deno.test("GET /api/v1/alerts/performance: summarises CLV and ROI; 503 without the engine", async () => {
  const engine = await engineWithAlerts();
  const body = await (await appWith(engine).request("/api/v1/alerts/performance")).json();
  const p = body.performance;
  assert.equal(p.count, 3);
  assert.equal(p.with_clv, 3);
  assert.equal(p.settled, 3);
  assert.equal(p.wins, 1);
  // Home won at 2.2: +1.2, two losers: -2 => -0.8 over 3 bets.
  assert.ok(Math.abs(p.roi - -0.8 / 3) < 1e-12);
  assert.ok(typeof p.mean_clv === "number");
  await engine.close();
  const res = await appWith(undefined).request("/api/v1/alerts/performance");
  assert.equal(res.status, 503);
  assert.equal((await appWith(undefined).request("/api/v1/alerts")).status, 503);
});
