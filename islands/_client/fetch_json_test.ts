import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { ApiError, describeError, fetchJson, parseRetryAfter } from "./fetch_json.ts";

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A fetch answering from a script of responses (or errors to throw), recording calls. */
function scripted(script: (Response | Error)[]) {
  const calls: string[] = [];
  const fetch = (input: RequestInfo | URL) => {
    calls.push(String(input));
    const next = script.shift();
    if (!next) throw new Error("Unexpected extra call");
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

function fakeClock() {
  const clock = FakeTimers.createClock(Date.parse("2026-11-28T15:00:00Z"));
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => clock.setTimeout(() => resolve(), ms));
  return { clock, sleep, now: () => clock.now };
}

Deno.test("fetchJson: retries 503 with exponential backoff, then succeeds", async () => {
  const { clock, sleep, now } = fakeClock();
  const err = json(503, { error: { code: "service_unavailable", message: "Down" } });
  const { fetch, calls } = scripted([err, err.clone(), err.clone(), json(200, { ok: 1 })]);
  const waits: number[] = [];
  const promise = fetchJson<{ ok: number }>("/api/x", {
    fetch,
    now,
    timeoutMs: 0,
    sleep: (ms) => (waits.push(ms), sleep(ms)),
  });
  await clock.runAllAsync();
  assert.deepEqual(await promise, { ok: 1 });
  assert.equal(calls.length, 4);
  assert.deepEqual(waits, [400, 800, 1600]);
});

Deno.test("fetchJson: gives up after 3 retries with a server error", async () => {
  const { clock, sleep, now } = fakeClock();
  const responses = Array.from({ length: 4 }, () => json(502, {}, { "x-request-id": "req-1" }));
  const { fetch, calls } = scripted(responses);
  const promise = fetchJson("/api/x", { fetch, sleep, now, timeoutMs: 0 });
  const settled = promise.then(() => assert.fail("expected a failure"), (e: ApiError) => e);
  await clock.runAllAsync();
  const error = await settled;
  assert.ok(error instanceof ApiError);
  assert.equal(error.kind, "server");
  assert.equal(error.status, 502);
  assert.equal(error.requestId, "req-1");
  assert.equal(calls.length, 4);
  assert.match(describeError(error).title, /on our side/);
});

Deno.test("fetchJson: network failures are retried and classified as network", async () => {
  const { clock, sleep, now } = fakeClock();
  const { fetch, calls } = scripted([
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
    new TypeError("Failed to fetch"),
  ]);
  const settled = fetchJson("/api/x", { fetch, sleep, now, timeoutMs: 0 }).then(
    () => assert.fail("expected a failure"),
    (e: ApiError) => e,
  );
  await clock.runAllAsync();
  const error = await settled;
  assert.equal(error.kind, "network");
  assert.equal(calls.length, 4);
  const friendly = describeError(error);
  assert.match(friendly.title, /offline/);
  assert.ok(friendly.tips.length > 0);
});

Deno.test("fetchJson: a 429 is not retried and says when to retry", async () => {
  const { now } = fakeClock();
  const { fetch, calls } = scripted([
    json(429, { error: { code: "rate_limited", message: "Slow down" } }, { "retry-after": "30" }),
  ]);
  const error = await fetchJson("/api/x", { fetch, now, timeoutMs: 0 }).then(
    () => assert.fail("expected a failure"),
    (e: ApiError) => e,
  );
  assert.equal(calls.length, 1);
  assert.equal(error.kind, "rate_limited");
  assert.equal(error.retryAt, now() + 30_000);
  assert.match(describeError(error, now()).detail, /Try again in 30 s/);
});

Deno.test("fetchJson: a 422 is a request error carrying the server's message", async () => {
  const { fetch, calls } = scripted([
    json(422, { error: { code: "validation_failed", message: 'Unknown team "Foo"' } }),
  ]);
  const error = await fetchJson("/api/x", { fetch, timeoutMs: 0 }).then(
    () => assert.fail("expected a failure"),
    (e: ApiError) => e,
  );
  assert.equal(calls.length, 1);
  assert.equal(error.kind, "request");
  assert.equal(describeError(error).detail, 'Unknown team "Foo"');
});

Deno.test("fetchJson: sends JSON bodies", async () => {
  let seen: RequestInit | undefined;
  const fetch = ((_: RequestInfo | URL, init?: RequestInit) => {
    seen = init;
    return Promise.resolve(json(200, { id: 1 }));
  }) as typeof globalThis.fetch;
  await fetchJson("/api/x", { fetch, method: "POST", body: { a: 1 }, timeoutMs: 0 });
  assert.equal(seen?.method, "POST");
  assert.equal(seen?.body, '{"a":1}');
  assert.equal((seen?.headers as Record<string, string>)["content-type"], "application/json");
});

Deno.test("parseRetryAfter: reads seconds and HTTP dates", () => {
  const now = Date.parse("2026-11-28T15:00:00Z");
  assert.equal(parseRetryAfter("5", now), now + 5000);
  assert.equal(parseRetryAfter("Sat, 28 Nov 2026 15:01:00 GMT", now), now + 60_000);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});
