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

/** Two instances contending for the source "oddsportal" with a lease of `ttlMs` (300 ms). */
async function contenders(
  fn: (a: SourceLease, b: SourceLease, redis: FleetRedis) => Promise<void>,
  ttlMs = 300,
): Promise<void> {
  const prefix = testPrefix("lease");
  const ra = new FleetRedis({ url: SHARED_REDIS_URL, keyPrefix: prefix, logger: QUIET_LOGGER });
  const rb = new FleetRedis({ url: SHARED_REDIS_URL, keyPrefix: prefix, logger: QUIET_LOGGER });
  const a = new SourceLease(ra, "oddsportal", { ttlMs });
  const b = new SourceLease(rb, "oddsportal", { ttlMs });
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
      // Renewals keep the same leader past several TTLs. A 1.5 s lease renewed every 500 ms:
      // with 300 ms a stall of 200 ms on a busy machine lets it lapse, which is no bug.
      const leader = a.isLeader ? a : b;
      const fence = leader.fence;
      await new Promise((r) => setTimeout(r, 3500));
      assert.ok(leader.isLeader);
      assert.equal(leader.fence, fence);
      assert.equal([a.isLeader, b.isLeader].filter(Boolean).length, 1);
    }, 1500),
});

Deno.test({
  name: "SourceLease: when the leader stops renewing the other takes over once the lease expires",
  ignore: !SHARED_REDIS,
  fn: () =>
    contenders(async (a, b) => {
      await a.start();
      await b.start();
      assert.ok(a.isLeader && !b.isLeader);
      await a.stop();
      // Expiry after at most 300 ms, plus b's retry period of 100 ms; the deadline leaves a slow
      // machine room but still fails a b that waits for something other than the expiry.
      await until(() => b.isLeader, 3000);
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
      await until(() => !a.isLeader, 5000);
      const deadline = Date.now() + 5000;
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
