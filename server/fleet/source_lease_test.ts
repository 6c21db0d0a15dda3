import assert from "node:assert/strict";
import { FleetRedis } from "./redis_client.ts";
import { fencedSet, SourceLease } from "./source_lease.ts";
import {
  deleteKeys,
  QUIET_LOGGER,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  until,
} from "./test_redis.ts";

/** Two instances contending for the source "oddsportal" with a 300 ms lease. */
async function contenders(
  fn: (a: SourceLease, b: SourceLease, redis: FleetRedis) => Promise<void>,
): Promise<void> {
  const prefix = testPrefix("lease");
  const ra = new FleetRedis({ url: SHARED_REDIS_URL, keyPrefix: prefix, logger: QUIET_LOGGER });
  const rb = new FleetRedis({ url: SHARED_REDIS_URL, keyPrefix: prefix, logger: QUIET_LOGGER });
  const a = new SourceLease(ra, "oddsportal", { ttlMs: 300 });
  const b = new SourceLease(rb, "oddsportal", { ttlMs: 300 });
  try {
    await until(() => ra.isUp && rb.isUp);
    await fn(a, b, ra);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await deleteKeys(ra.redis, prefix);
    await Promise.all([ra.close(), rb.close()]);
  }
}

Deno.test({
  name: "SourceLease: of two contenders exactly one leads",
  ignore: !SHARED_REDIS,
  fn: () =>
    contenders(async (a, b) => {
      await Promise.all([a.start(), b.start()]);
      assert.equal([a.isLeader, b.isLeader].filter(Boolean).length, 1);
      // Renewals keep the same leader past several TTLs.
      const leader = a.isLeader ? a : b;
      const fence = leader.fence;
      await new Promise((r) => setTimeout(r, 700));
      assert.ok(leader.isLeader);
      assert.equal(leader.fence, fence);
      assert.equal([a.isLeader, b.isLeader].filter(Boolean).length, 1);
    }),
});

Deno.test({
  name: "SourceLease: when the leader stops renewing the other takes over within the TTL",
  ignore: !SHARED_REDIS,
  fn: () =>
    contenders(async (a, b) => {
      await a.start();
      await b.start();
      assert.ok(a.isLeader && !b.isLeader);
      await a.stop();
      const t0 = performance.now();
      await until(() => b.isLeader, 2000);
      // Expiry after at most 300 ms, plus b's retry period of 100 ms.
      assert.ok(performance.now() - t0 < 300 + 100 + 100, `${performance.now() - t0} ms`);
      assert.ok(!a.isLeader, "a's own view lapses with its TTL");
    }),
});

Deno.test({
  name: "SourceLease: a released lease is taken at the next attempt",
  ignore: !SHARED_REDIS,
  fn: () =>
    contenders(async (a, b) => {
      assert.ok(await a.attempt());
      assert.ok(!(await b.attempt()));
      await a.close();
      assert.ok(await b.attempt());
      assert.ok(!a.isLeader);
    }),
});

Deno.test({
  name: "fencedSet: a write with a stale fencing token is rejected",
  ignore: !SHARED_REDIS,
  fn: () =>
    contenders(async (a, b, redis) => {
      assert.ok(await a.attempt());
      const stale = a.fence!;
      assert.ok(await a.write("odds:oddsportal", "from a"));
      await a.stop();
      await until(() => !a.isLeader, 1000);
      const deadline = Date.now() + 1000;
      while (!(await b.attempt()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(b.fence! > stale);
      assert.equal(
        await fencedSet(redis, {
          source: "oddsportal",
          fence: stale,
          key: "odds:oddsportal",
          value: "late a",
        }),
        false,
      );
      assert.equal(await a.write("odds:oddsportal", "late a"), false);
      assert.ok(await b.write("odds:oddsportal", "from b"));
      assert.equal(await redis.redis.get("odds:oddsportal"), "from b");
    }),
});
