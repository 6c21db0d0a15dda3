import assert from "node:assert/strict";
import { HttpError } from "../http/errors.ts";
import type { PredictionEngine } from "../domain/prediction.ts";
import { createMetrics } from "../ops/metrics.ts";
import { createMemoryEngine } from "./memory_engine.ts";
import { createPredictionService } from "./prediction_service.ts";

const REQ = { league: "epl", home_team: "Manchester United", away_team: "Liverpool" };
/** A clock standing still: requests without kick-off get the same one. */
const STILL = () => new Date(Date.UTC(2026, 11, 5, 15));

async function counter(metrics: ReturnType<typeof createMetrics>, name: string) {
  const m = await metrics.registry.getSingleMetric(name)!.get();
  return m.values.reduce((s, v) => s + v.value, 0);
}

Deno.test("createPredictionService: caches results and aliases share an entry", async () => {
  const engine = createMemoryEngine();
  const metrics = createMetrics({ defaultMetrics: false });
  const svc = createPredictionService(engine, { metrics, kickoffClock: STILL });
  const a = await svc.predict(REQ);
  assert.equal(a.cached, false);
  const b = await svc.predict({ ...REQ, home_team: "man united", league: "E0" });
  assert.equal(b.cached, true);
  assert.equal(b.json, a.json);
  assert.equal(engine.calls, 1);
  const c = await svc.predict({ ...REQ, odds: { home: 2, draw: 3.5, away: 4 } });
  assert.equal(c.cached, false, "different odds are a different entry");
  assert.equal(engine.calls, 2);
  assert.equal(svc.cacheSize, 2);
  assert.equal(await counter(metrics, "sabiscore_prediction_cache_hits_total"), 1);
  assert.equal(await counter(metrics, "sabiscore_prediction_cache_misses_total"), 2);
});

Deno.test("createPredictionService: the cache is capped (LRU)", async () => {
  const engine = createMemoryEngine();
  const svc = createPredictionService(engine, { cacheMaxEntries: 2 });
  for (const odds of [2, 3, 4, 5]) {
    await svc.predict({ ...REQ, odds: { home: odds, draw: 3, away: 3 } });
  }
  assert.equal(svc.cacheSize, 2);
});

Deno.test("createPredictionService: with repeated admission, only a request missed twice is cached", async () => {
  const engine = createMemoryEngine();
  const svc = createPredictionService(engine, { cacheAdmission: "repeated", cacheMaxEntries: 10 });
  assert.equal((await svc.predict(REQ)).cached, false);
  assert.equal(svc.cacheSize, 0, "a first miss is not kept");
  const second = await svc.predict({ ...REQ, home_team: "Man United" });
  assert.equal(second.cached, false, "an alias is the same request: its second miss");
  assert.equal(svc.cacheSize, 1);
  assert.equal((await svc.predict(REQ)).cached, true);
  assert.equal(engine.calls, 2);
  for (const home of [2, 2.1, 2.2, 2.3, 2.4]) {
    assert.equal((await svc.predict({ ...REQ, odds: { home, draw: 3, away: 3 } })).cached, false);
  }
  assert.equal(svc.cacheSize, 1, "one-off requests leave the cache as it was");
  svc.clearCache();
  assert.equal((await svc.predict(REQ)).cached, false);
  assert.equal(svc.cacheSize, 0, "clearing the cache also forgets the missed requests");
});

Deno.test("createPredictionService: identical concurrent misses call the engine once", async () => {
  const engine = createMemoryEngine();
  // A still clock: each waiter's default kick-off is "now", which a millisecond tick between
  // the three calls (a loaded machine) would make differ.
  const svc = createPredictionService(engine, { kickoffClock: STILL });
  await svc.predict({ ...REQ, away_team: "Arsenal" }); // learns version and aliases
  const calls = engine.calls;
  const rs = await Promise.all([1, 2, 3].map(() => svc.predict(REQ)));
  assert.equal(engine.calls, calls + 1);
  assert.ok(rs.every((r) => r.json === rs[0].json));
});

Deno.test("createPredictionService: a slow engine is aborted with 504", async () => {
  const engine = createMemoryEngine({ delayMs: 60_000 });
  const metrics = createMetrics({ defaultMetrics: false });
  const svc = createPredictionService(engine, { timeoutMs: 20, metrics });
  await assert.rejects(
    svc.predict(REQ),
    (e: unknown) => e instanceof HttpError && e.status === 504,
  );
  assert.equal(await counter(metrics, "sabiscore_prediction_cache_errors_total"), 1);
  assert.equal(engine.calls, 0, "the engine saw the abort and did not finish");
});

Deno.test("createPredictionService: memory pressure refuses new predictions with 503", async () => {
  let rss = 2e9;
  const svc = createPredictionService(createMemoryEngine(), {
    memoryLimitBytes: 1e9,
    memoryUsage: () => rss,
    memorySampleMs: 0,
  });
  await assert.rejects(
    svc.predict(REQ),
    (e: unknown) => e instanceof HttpError && e.status === 503 && e.code === "memory_pressure",
  );
  rss = 1e8;
  assert.equal((await svc.predict(REQ)).cached, false);
});

Deno.test("createPredictionService: a failed miss fails its waiting twins and is not kept", async () => {
  const engine = createMemoryEngine();
  let invocations = 0;
  const counted: PredictionEngine = {
    ...engine,
    predict: (req, signal) => {
      invocations++;
      return engine.predict(req, signal);
    },
  };
  const svc = createPredictionService(counted, { kickoffClock: STILL });
  await svc.predict({ ...REQ, away_team: "Arsenal" }); // learns version and aliases
  engine.setReady(false);
  const rs = await Promise.allSettled([1, 2, 3].map(() => svc.predict(REQ)));
  assert.equal(invocations, 2, "one engine call for the three twins");
  for (const r of rs) {
    assert.equal(r.status, "rejected");
    const reason = (r as PromiseRejectedResult).reason;
    assert.ok(reason instanceof HttpError && reason.status === 503, String(reason));
  }
  engine.setReady(true);
  const again = await Promise.all([1, 2].map(() => svc.predict(REQ)));
  assert.equal(invocations, 3, "the failure was not kept: the next twins compute again, once");
  assert.ok(again.every((r) => !r.cached && r.json === again[0].json));
  assert.equal((await svc.predict(REQ)).cached, true);
});

Deno.test("createPredictionService: engine errors pass through and are not cached", async () => {
  const engine = createMemoryEngine({ ready: false });
  const svc = createPredictionService(engine);
  await assert.rejects(
    svc.predict(REQ),
    (e: unknown) => e instanceof HttpError && e.status === 503,
  );
  engine.setReady(true);
  assert.equal((await svc.predict(REQ)).cached, false);
});

Deno.test("createPredictionService: a shared (frozen) request keeps hitting its entry", async () => {
  const engine = createMemoryEngine();
  const svc = createPredictionService(engine, { kickoffClock: STILL });
  const shared = Object.freeze({
    ...REQ,
    home_team: "man united",
    odds: Object.freeze({ home: 2, draw: 3.4, away: 3.9 }),
  });
  const first = await svc.predict(shared); // aliases not known yet: no key
  assert.equal(first.cached, false);
  const results = [await svc.predict(shared), await svc.predict(shared)];
  assert.ok(results.every((r) => r.cached && r.json === first.json));
  assert.equal(engine.calls, 1);
  svc.clearCache();
  assert.equal((await svc.predict(shared)).cached, false, "a cleared cache is not bypassed");
  assert.equal((await svc.predict(shared)).cached, true);
  assert.equal(engine.calls, 2);
});

Deno.test("createPredictionService: a request without kick-off gets its own, on hits too", async () => {
  const engine = createMemoryEngine();
  let clock = Date.UTC(2026, 11, 5, 15);
  const svc = createPredictionService(engine, { kickoffClock: () => new Date(clock) });
  const first = await svc.predict(REQ);
  assert.equal(first.prediction.kickoff, "2026-12-05T15:00:00.000Z");
  clock += 3_600_000;
  const hit = await svc.predict(REQ);
  assert.equal(hit.cached, true);
  assert.equal(hit.prediction.kickoff, "2026-12-05T16:00:00.000Z");
  assert.equal(JSON.parse(hit.json).kickoff, "2026-12-05T16:00:00.000Z");
  assert.deepEqual({ ...hit.prediction, kickoff: first.prediction.kickoff }, first.prediction);
  const given = await svc.predict({ ...REQ, kickoff: "2026-12-26T12:30:00Z" });
  assert.equal(given.cached, false, "a given kick-off is part of the cache key");
  assert.equal(given.prediction.kickoff, "2026-12-26T12:30:00Z");
  assert.equal(engine.calls, 2);
});
