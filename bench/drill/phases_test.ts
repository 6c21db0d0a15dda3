import assert from "node:assert/strict";
import { memoryCheck, scraperIndex } from "./phases.ts";
import { readHealth } from "./service.ts";

/** A `/health` body with two sources, led as `leaders` says (none: embedded). */
function body(leaders?: Record<string, boolean>) {
  const source = { breaker: "closed", failures: 0, rows_accepted: 9 };
  return {
    components: {
      live_odds: {
        sources: { a: source, b: source },
        ...(leaders
          ? {
            leaders: Object.fromEntries(
              Object.entries(leaders).map(([k, v]) => [k, { leader: "x", is_leader: v }]),
            ),
          }
          : {}),
      },
    },
  };
}

Deno.test("readHealth: lists the sources a fleet instance holds the lease of, null embedded", () => {
  assert.deepEqual(readHealth(body({ a: false, b: true })).leads, ["b"]);
  assert.deepEqual(readHealth(body({ a: false, b: false })).leads, []);
  assert.equal(readHealth(body()).leads, null);
});

Deno.test("scraperIndex: the lease holder in a fleet, the only process embedded", () => {
  const follower = readHealth(body({ a: false, b: true }));
  const holder = readHealth(body({ a: true, b: false }));
  assert.equal(scraperIndex([follower, null, holder], "a"), 2);
  assert.equal(scraperIndex([follower, null, holder], "b"), 0);
  assert.equal(scraperIndex([follower, null], "a"), null);
  assert.equal(scraperIndex([null, readHealth(body())], "a"), 1);
});

Deno.test("memoryCheck: fails when the peak passes the headroom or nothing was sampled", () => {
  const MB = 2 ** 20;
  assert.equal(memoryCheck("i", 100 * MB, [120 * MB, 150 * MB], 50 * MB).ok, true);
  const over = memoryCheck("i", 100 * MB, [120 * MB, 151 * MB], 50 * MB);
  assert.equal(over.ok, false);
  assert.match(over.detail, /peak 151 MB .* \(limit 150\)/);
  assert.equal(memoryCheck("i", null, [120 * MB], 50 * MB).ok, false);
  assert.equal(memoryCheck("i", 100 * MB, [], 50 * MB).ok, false);
});
