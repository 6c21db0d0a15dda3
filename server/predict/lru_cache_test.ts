import assert from "node:assert/strict";
import { LruCache } from "./lru_cache.ts";

Deno.test("LruCache: evicts the least recently used entry", () => {
  const c = new LruCache<string, number>(2);
  c.set("a", 1);
  c.set("b", 2);
  assert.equal(c.get("a"), 1);
  c.set("c", 3);
  assert.equal(c.has("b"), false, "b was least recently used");
  assert.equal(c.get("a"), 1);
  assert.equal(c.get("c"), 3);
  assert.equal(c.size, 2);
});

Deno.test("LruCache: overwriting refreshes recency without growing", () => {
  const c = new LruCache<string, number>(2);
  c.set("a", 1);
  c.set("b", 2);
  c.set("a", 10);
  c.set("c", 3);
  assert.deepEqual([c.get("a"), c.get("b"), c.get("c")], [10, undefined, 3]);
});

Deno.test("LruCache: capacity 0 stores nothing; negative capacity is refused", () => {
  const c = new LruCache<string, number>(0);
  c.set("a", 1);
  assert.equal(c.size, 0);
  assert.throws(() => new LruCache(-1), RangeError);
});
