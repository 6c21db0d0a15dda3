import assert from "node:assert/strict";
import { MemoryRateLimitStore } from "./memory_store.ts";

Deno.test("MemoryRateLimitStore: counts per client and resets per window", () => {
  const s = new MemoryRateLimitStore();
  assert.equal(s.hit("a", 0, 1000), 1);
  assert.equal(s.hit("a", 0, 1000), 2);
  assert.equal(s.hit("b", 0, 1000), 1);
  assert.equal(s.hit("a", 1000, 1000), 1);
  assert.equal(s.size, 1, "counters of the past window are dropped");
  s.close();
});
