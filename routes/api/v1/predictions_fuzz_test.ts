import assert from "node:assert/strict";
import { createTestApp } from "../../../server/testing/test_app.ts";

/** mulberry32: a small seeded PRNG, so a failing body can be reproduced from its index. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  "",
  " ",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "Man United\u0000",
  "\u202eLiverpool",
  "\ud800",
  "😀⚽️",
  "Bayern München",
  "ﾏﾝﾁｪｽﾀｰ",
  "a".repeat(101),
  "<script>alert(1)</script>",
  "'; DROP TABLE teams; --",
  "%00%2e%2e%2f",
  "${7*7}",
  "Manchester United",
  "Man Utd",
  "Liverpool",
  "epl",
  "england-premier-league",
  "E0",
];

const HOSTILE_NUMBERS = [
  0,
  -0,
  1,
  1.0000001,
  -5,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER + 2,
  2.5,
  10_000,
  10_000.5,
  3.4,
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function randomString(r: () => number): string {
  if (r() < 0.6) return pick(r, HOSTILE_STRINGS);
  const n = Math.floor(r() * 40);
  let s = "";
  for (let i = 0; i < n; i++) {
    const cp = r() < 0.7 ? 32 + Math.floor(r() * 95) : Math.floor(r() * 0x10ffff);
    s += cp >= 0xd800 && cp <= 0xdfff ? "\ufffd" : String.fromCodePoint(cp);
  }
  return s;
}

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 4 ? 5 : 8));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, HOSTILE_NUMBERS);
    case 3:
    case 4:
      return randomString(r);
    case 5:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 4);
      for (let i = 0; i < n; i++) o[randomString(r)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

function nested(depth: number, open: string, close: string, inner = "1"): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** One request body (as text), valid-looking or hostile. */
function randomBody(r: () => number): string {
  const kind = Math.floor(r() * 10);
  const base: Record<string, unknown> = {
    league: "england-premier-league",
    home_team: "Man United",
    away_team: "Liverpool",
    odds: { home: 2.6, draw: 3.4, away: 2.7 },
  };
  switch (kind) {
    case 0:
      return JSON.stringify(randomValue(r, 0));
    case 1: { // one field of a good body replaced
      const key = pick(r, ["league", "home_team", "away_team", "odds", "kickoff"]);
      base[key] = randomValue(r, 1);
      return JSON.stringify(base);
    }
    case 2: { // a field missing
      delete base[pick(r, ["league", "home_team", "away_team"])];
      return JSON.stringify(base);
    }
    case 3: { // odds mangled
      const odds = base.odds as Record<string, unknown>;
      odds[pick(r, ["home", "draw", "away", "over_2_5", "btts_no"])] = r() < 0.7
        ? pick(r, HOSTILE_NUMBERS)
        : randomValue(r, 2);
      return JSON.stringify(base);
    }
    case 4: // prototype pollution attempts
      return JSON.stringify(base).replace(
        /^\{/,
        pick(r, [
          '{"__proto__":{"polluted":true},',
          '{"constructor":{"prototype":{"polluted":true}},',
          '{"odds":{"__proto__":{"home":2}},',
        ]),
      );
    case 5: // deep nesting
      return r() < 0.5
        ? nested(1 + Math.floor(r() * 5000), "[", "]")
        : `{"league":${
          nested(1 + Math.floor(r() * 3000), '{"a":', "}")
        },"home_team":"x","away_team":"y"}`;
    case 6: // numbers JSON cannot represent exactly
      return JSON.stringify(base).replace(
        '"home":2.6',
        `"home":${pick(r, ["1e400", "-1e400", "1e-400", "12345678901234567890123"])}`,
      );
    case 7: // truncated or corrupted JSON
      return JSON.stringify(base).slice(0, Math.floor(r() * 80));
    case 8: { // names: hostile strings everywhere
      base.league = randomString(r);
      base.home_team = randomString(r);
      base.away_team = randomString(r);
      return JSON.stringify(base);
    }
    default: // a valid body with random teams among known ones
      base.home_team = pick(r, ["Arsenal", "Burnley", "Man City", "Norwich"]);
      base.kickoff = r() < 0.5 ? "2025-05-01T15:00:00Z" : "2025-13-45T99:00:00Z";
      return JSON.stringify(base);
  }
}

Deno.test("POST /api/v1/predictions: 3,000 random and hostile bodies never cause a 5xx", async () => {
  const t = await createTestApp({ env: { RATE_LIMIT_REQUESTS: "1000000" } });
  const r = prng(20240601);
  const statuses = new Map<number, number>();
  try {
    for (let i = 0; i < 3000; i++) {
      const body = randomBody(r);
      const res = await t.app.request("/api/v1/predictions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(
        res.status < 500,
        `body #${i} gave ${res.status}: ${body.slice(0, 200)} -> ${text.slice(0, 300)}`,
      );
      const json = JSON.parse(text);
      if (res.status !== 200) {
        assert.equal(typeof json.error.code, "string");
        assert.equal(typeof json.error.message, "string");
      }
    }
    // deno-lint-ignore no-explicit-any
    assert.equal(({} as any).polluted, undefined, "Object.prototype was not polluted");
    assert.ok((statuses.get(200) ?? 0) > 100, `some bodies were valid: ${[...statuses]}`);
    assert.ok((statuses.get(422) ?? 0) > 500, `many were invalid: ${[...statuses]}`);
    assert.ok((statuses.get(400) ?? 0) > 50, `some were malformed: ${[...statuses]}`);
    const live = await t.app.request("/health/live");
    assert.equal(live.status, 200, "still alive");
    await live.body?.cancel();
  } finally {
    await t.close();
  }
});
