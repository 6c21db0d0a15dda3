import assert from "node:assert/strict";
import { RequestMemo } from "./request_memo.ts";

const REQUEST = {
  league: "epl",
  home_team: "Arsenal",
  away_team: "Chelsea",
  odds: { home: 2.1, draw: 3.4, away: 3.6 },
};

Deno.test("RequestMemo: returns the request remembered for the exact text, frozen", () => {
  const memo = new RequestMemo();
  const text = JSON.stringify(REQUEST);
  assert.equal(memo.get(text), undefined);
  memo.remember(text, structuredClone(REQUEST));
  const got = memo.get(text);
  assert.deepEqual(got, REQUEST);
  assert.ok(Object.isFrozen(got) && Object.isFrozen(got?.odds), "shared requests are frozen");
  assert.equal(memo.get(` ${text}`), undefined, "only the exact text matches");
});

Deno.test("RequestMemo: is bounded by entries and by text length", () => {
  const memo = new RequestMemo({ maxEntries: 2, maxLength: 200 });
  for (const team of ["A", "B", "C"]) {
    memo.remember(JSON.stringify({ ...REQUEST, home_team: team }), { ...REQUEST, home_team: team });
  }
  assert.equal(memo.size, 2);
  assert.equal(memo.get(JSON.stringify({ ...REQUEST, home_team: "A" })), undefined, "LRU");
  const long = JSON.stringify({ ...REQUEST, home_team: "x".repeat(300) });
  memo.remember(long, { ...REQUEST, home_team: "x".repeat(300) });
  assert.equal(memo.get(long), undefined, "long bodies are not kept");
});
