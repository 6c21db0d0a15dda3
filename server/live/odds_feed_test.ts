import assert from "node:assert/strict";
import { createPredictionService } from "../predict/prediction_service.ts";
import { Registry } from "prom-client";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import type { LiveEvent } from "./broker.ts";
import { loadConfig } from "../ops/config.ts";
import { startOddsFeed } from "./odds_feed.ts";

Deno.test("startOddsFeed: the demo bookmaker feeds the store and publishes odds, in KV", async () => {
  const kv = await Deno.openKv(":memory:");
  const controller = new AbortController();
  const events: LiveEvent[] = [];
  const registry = new Registry();
  const live = await startOddsFeed({
    predictions: createPredictionService(createMemoryEngine()),
    signal: controller.signal,
    kv,
    registry,
    broker: { publish: (e) => Promise.resolve(void events.push(e)) },
    config: {
      ...loadConfig({}).live,
      demoScrapeMs: 100,
      demoTickMs: 100,
      demoKickoffEveryMs: 2_000,
    },
    modelsDir: "/nonexistent",
    log: () => {},
  });
  try {
    assert.ok(live.demo);
    assert.deepEqual(live.sources.map((s) => s.name), [
      "demo-sharp",
      "demo-slow-a",
      "demo-slow-b",
      "demo-soft",
    ]);
    // Wait for a few scrapes with price moves in between; the deadline only bounds a hang (a
    // count of polls would end sooner on a slow machine, before the scrapes it waits for).
    const deadline = performance.now() + 30_000;
    const scraped = () =>
      (live.metrics.snapshot()["demo-sharp"]?.successes ?? 0) >= 4 &&
      events.filter((e) => e.type === "odds").length > 24;
    while (!scraped() && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const upcoming = await live.store.upcoming();
    assert.equal(upcoming.length, 24, "3 fixtures in each of the 8 leagues");
    assert.ok(upcoming.every((m) => m.quotes[0].source.startsWith("demo-")));
    const moved = upcoming.filter((m) => m.quotes[0].changes > 1);
    assert.ok(moved.length > 0, "prices moved between scrapes");
    assert.ok(events.filter((e) => e.type === "odds").length > 24);
    const text = await registry.metrics();
    assert.match(text, /sabiscore_odds_source_successes_total\{source="demo-sharp"\} [1-9]/);
    assert.match(text, /sabiscore_odds_source_breaker_state\{source="demo-sharp"\} 0/);
  } finally {
    controller.abort();
    await live.pipeline.done;
    await live.demo?.close();
    kv.close();
  }
});

Deno.test("startOddsFeed: DEMO_BOOKMAKER=false runs only configured sources", async () => {
  const controller = new AbortController();
  const live = await startOddsFeed({
    predictions: createPredictionService(createMemoryEngine()),
    signal: controller.signal,
    config: loadConfig({ DEMO_BOOKMAKER: "false" }).live,
  });
  try {
    assert.equal(live.demo, undefined);
    assert.deepEqual(live.sources, []);
    assert.deepEqual(await live.store.upcoming(), []);
  } finally {
    controller.abort();
    await live.pipeline.done;
  }
});
