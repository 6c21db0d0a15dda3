import assert from "node:assert/strict";
import { KvRateLimitStore } from "./kv_store.ts";

const W = 60_000;

async function withTempKv<T>(fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "sabiscore_rl_" });
  try {
    return await fn(`${dir}/rl.kv`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("KvRateLimitStore: counts hits per client and window", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new KvRateLimitStore(kv, { flushIntervalMs: 10_000 });
  try {
    assert.equal(await store.hit("a", 0, W), 1);
    assert.equal(await store.hit("a", 0, W), 2);
    assert.equal(await store.hit("b", 0, W), 1);
    assert.equal(await store.hit("a", W, W), 1, "a new window starts from zero");
  } finally {
    await store.close();
    kv.close();
  }
});

Deno.test("KvRateLimitStore: concurrent first hits wait for one seed and stay exact", async () => {
  const kv = await Deno.openKv(":memory:");
  await kv.set(["rate_limit", 0, "c"], new Deno.KvU64(10n));
  const store = new KvRateLimitStore(kv, { flushIntervalMs: 10_000 });
  try {
    const counts = await Promise.all(Array.from({ length: 5 }, () => store.hit("c", 0, W)));
    assert.deepEqual(counts, [11, 12, 13, 14, 15]);
    assert.equal(store.hit("c", 0, W), 16, "once seeded, hits answer synchronously");
  } finally {
    await store.close();
    kv.close();
  }
});

Deno.test("KvRateLimitStore: the budget survives a restart on the same KV file", async () => {
  await withTempKv(async (path) => {
    let kv = await Deno.openKv(path);
    let store = new KvRateLimitStore(kv, { flushIntervalMs: 10_000 });
    for (let i = 0; i < 60; i++) await store.hit("10.0.0.1", 0, W);
    await store.close();
    kv.close();

    kv = await Deno.openKv(path);
    store = new KvRateLimitStore(kv);
    try {
      assert.equal(await store.hit("10.0.0.1", 0, W), 61);
      assert.equal(await store.hit("10.0.0.2", 0, W), 1);
    } finally {
      await store.close();
      kv.close();
    }
  });
});

Deno.test("KvRateLimitStore: flush writes deltas, not totals, and drops old windows", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new KvRateLimitStore(kv, { flushIntervalMs: 10_000 });
  try {
    for (let i = 0; i < 3; i++) await store.hit("a", 0, W);
    await store.flush();
    for (let i = 0; i < 2; i++) await store.hit("a", 0, W);
    await store.flush();
    const r = await kv.get<Deno.KvU64>(["rate_limit", 0, "a"]);
    assert.equal(r.value?.value, 5n);

    await store.hit("a", W, W);
    await store.flush();
    assert.equal((await kv.get(["rate_limit", 0, "a"])).value, null, "past window deleted");
    assert.equal((await kv.get<Deno.KvU64>(["rate_limit", W, "a"])).value?.value, 1n);
    assert.equal(store.size, 1);
  } finally {
    await store.close();
    kv.close();
  }
});

Deno.test("KvRateLimitStore: a closed store refuses hits", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new KvRateLimitStore(kv);
  await store.hit("a", 0, W);
  await store.close();
  kv.close();
  assert.throws(() => store.hit("a", 0, W), /closed/);
});

Deno.test("KvRateLimitStore: failed writes keep the counts and report the error", async () => {
  const kv = await Deno.openKv(":memory:");
  const errors: unknown[] = [];
  const store = new KvRateLimitStore(kv, {
    flushIntervalMs: 10_000,
    onError: (e) => errors.push(e),
  });
  for (let i = 0; i < 3; i++) await store.hit("a", 0, W);
  kv.close();
  await store.flush();
  assert.equal(errors.length, 1, "the failed commit is reported once");
  assert.equal(store.hit("a", 0, W), 4, "counting goes on in memory");
  await store.close();
});
