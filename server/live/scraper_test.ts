import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { backoffDelay, createScraper, ScrapeError } from "./scraper.ts";
import { createSourceMetrics } from "./source_metrics.ts";

/** A loopback page answering 500 to the first `failures` requests, then `body`. */
function flakyServer(failures: number, body = "<table></table>") {
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    hits++;
    return hits <= failures
      ? new Response("boom", { status: 500 })
      : new Response(body, { headers: { "content-type": "text/html" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    hits: () => hits,
    close: () => server.shutdown(),
  };
}

Deno.test("backoffDelay: doubles from the base, adds 0-30 % jitter, caps at 30 s", () => {
  const low = [0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, { random: () => 0 }));
  assert.deepEqual(low, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  const high = [0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, { random: () => 0.999999 }));
  assert.deepEqual(high, [1300, 2600, 5200, 10400, 20800, 30000]);
  assert.equal(backoffDelay(2, { random: () => 0.5, baseDelayMs: 100 }), 460);
  assert.equal(backoffDelay(40, { random: () => 0.5 }), 30000);
});

Deno.test("scraper: retries with backoff, opens after 5 failures, half-opens after 60 s, closes on a good trial", async () => {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
  const page = flakyServer(7, "<p>ok</p>");
  const metrics = createSourceMetrics();
  const delays: number[] = [];
  const scraper = createScraper({
    name: "flaky",
    url: page.url,
    maxRetries: 2,
    random: () => 0.5,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    metrics,
  });
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return "ok";
    } catch (error) {
      assert.ok(error instanceof ScrapeError, String(error));
      return error.code;
    }
  };
  try {
    // Scrape 1: three requests fail; the backoff schedule is base x 2^n x 1.15.
    assert.equal(await code(scraper.fetchText()), "http_status");
    assert.deepEqual(delays, [1150, 2300]);
    assert.equal(page.hits(), 3);
    assert.equal(scraper.state(), "closed");
    // Scrape 2: failures 4 and 5 open the breaker; the third try fails fast without a request.
    assert.equal(await code(scraper.fetchText()), "breaker_open");
    assert.equal(page.hits(), 5);
    assert.equal(scraper.state(), "open");
    assert.equal(metrics.snapshot().flaky.breaker, "open");
    // While open: no request reaches the source.
    assert.equal(await code(scraper.fetchText()), "breaker_open");
    assert.equal(page.hits(), 5);
    await clock.tickAsync(59_999);
    assert.equal(scraper.state(), "open");
    await clock.tickAsync(1);
    assert.equal(scraper.state(), "half_open");
    assert.equal(metrics.snapshot().flaky.breaker, "half_open");
    // Half-open: one trial request; a concurrent one is rejected. The trial fails (6th) -> open.
    const [trial, second] = await Promise.all([
      code(scraper.fetchText()),
      code(scraper.fetchText()),
    ]);
    assert.equal(second, "breaker_open");
    assert.equal(trial, "breaker_open"); // the trial failed, its retry met the re-opened breaker
    assert.equal(page.hits(), 6);
    assert.equal(scraper.state(), "open");
    await clock.tickAsync(60_000);
    assert.equal(await code(scraper.fetchText()), "breaker_open"); // 7th fails
    assert.equal(page.hits(), 7);
    await clock.tickAsync(60_000);
    assert.equal(scraper.state(), "half_open");
    assert.equal(await scraper.fetchText(), "<p>ok</p>"); // 8th succeeds: closed
    assert.equal(scraper.state(), "closed");
    const s = metrics.snapshot().flaky;
    assert.equal(s.requests, 8);
    assert.equal(s.failures, 7);
    assert.equal(s.successes, 1);
    assert.equal(s.breaker, "closed");
    assert.equal(s.retries, 6); // 2 + 2 + 1 + 1
    assert.equal(s.last_success_at, new Date(clock.now).toISOString());
  } finally {
    scraper.close();
    await page.close();
    clock.uninstall();
  }
});

Deno.test("scraper: a hanging source times out and trips the breaker", async () => {
  const hung = Promise.withResolvers<void>();
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    hits++;
    await hung.promise;
    return new Response("late");
  });
  const scraper = createScraper({
    name: "hang",
    url: `http://127.0.0.1:${server.addr.port}/`,
    // Long enough that each attempt reaches the server on a slow machine (25 ms did not always).
    timeoutMs: 250,
    maxRetries: 10,
    sleep: () => Promise.resolve(),
  });
  try {
    const started = performance.now();
    await assert.rejects(scraper.fetchText(), (e: ScrapeError) => e.code === "breaker_open");
    assert.equal(hits, 5);
    assert.equal(scraper.state(), "open");
    // Five timeouts of 250 ms, not of the 10 s default.
    assert.ok(performance.now() - started < 10_000);
  } finally {
    hung.resolve();
    scraper.close();
    await server.shutdown();
  }
});

Deno.test("scraper: an aborted scrape stops at once and is not a source failure", async () => {
  const page = flakyServer(100);
  const metrics = createSourceMetrics();
  const controller = new AbortController();
  const scraper = createScraper({
    name: "abort",
    url: page.url,
    metrics,
    sleep: (_ms, signal) =>
      new Promise((_, reject) => {
        controller.abort();
        reject(signal?.reason);
      }),
  });
  try {
    await assert.rejects(
      scraper.fetchText(controller.signal),
      (e: ScrapeError) => e.code === "aborted",
    );
    assert.equal(page.hits(), 1);
    assert.equal(metrics.snapshot().abort.failures, 1);
  } finally {
    scraper.close();
    await page.close();
  }
});
