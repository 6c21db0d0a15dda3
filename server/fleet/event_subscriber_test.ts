import assert from "node:assert/strict";
import { type FleetEvent, FleetEventStream, type StreamPosition } from "./event_stream.ts";
import { FleetEventSubscriber } from "./event_subscriber.ts";
import {
  connectedClient,
  deleteKeys,
  REDIS_SERVER,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  until,
  withPrivateRedis,
} from "./test_redis.ts";

Deno.test({
  name: "FleetEventSubscriber: delivers another instance's events in order and fills lost ones",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("subscriber");
    const publisherRedis = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const subscriberRedis = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const publisher = new FleetEventStream(publisherRedis);
    const got: FleetEvent[] = [];
    const sub = new FleetEventSubscriber(new FleetEventStream(subscriberRedis), {
      onEvent: (e) => got.push(e),
      checkIntervalMs: 100,
    });
    try {
      const before = await publisher.publish("missed before start");
      await sub.start({ epoch: before.epoch, offset: 0 });
      assert.deepEqual(got.map((e) => e.payload), ["missed before start"]);
      await Promise.all(Array.from({ length: 20 }, (_, i) => publisher.publish(`e${i}`)));
      await until(() => got.length === 21);
      // Events written to the stream without a PUBLISH, as when the subscriber's connection
      // dropped them, arrive through the periodic check.
      const r = publisherRedis.redis;
      for (const payload of ["lost 1", "lost 2"]) {
        const offset = await r.incr("events:offset");
        await r.xadd("events:stream", `${offset}-0`, "e", payload);
      }
      // Checked every 100 ms: the 5 s deadline fails a subscriber that waits for the next PUBLISH.
      await until(() => got.length === 23, 5000);
      await publisher.publish("after the gap");
      await until(() => got.length === 24);
      assert.deepEqual(got.map((e) => e.offset), Array.from({ length: 24 }, (_, i) => i + 1));
      assert.deepEqual(got.slice(21).map((e) => e.payload), ["lost 1", "lost 2", "after the gap"]);
    } finally {
      await sub.close();
      await deleteKeys(publisherRedis.redis, prefix);
      await Promise.all([publisherRedis.close(), subscriberRedis.close()]);
    }
  },
});

Deno.test({
  name: "FleetEventSubscriber: after FLUSHALL it reports the new epoch and follows it",
  ignore: !REDIS_SERVER,
  fn: () =>
    withPrivateRedis(async (_server, redis) => {
      const stream = new FleetEventStream(redis);
      const got: FleetEvent[] = [];
      const resets: StreamPosition[] = [];
      const sub = new FleetEventSubscriber(stream, {
        onEvent: (e) => got.push(e),
        onReset: (p) => resets.push(p),
        checkIntervalMs: 100,
      });
      try {
        await sub.start();
        const old = await stream.publish("old");
        await until(() => got.length === 1);
        await redis.redis.flushall();
        const fresh = await stream.publish("new");
        await until(() => got.length === 2);
        assert.notEqual(fresh.epoch, old.epoch);
        assert.deepEqual(resets, [{ epoch: fresh.epoch, offset: 0 }]);
        assert.deepEqual(got.map((e) => [e.epoch, e.offset, e.payload]), [
          [old.epoch, 1, "old"],
          [fresh.epoch, 1, "new"],
        ]);
        assert.deepEqual(sub.position, { epoch: fresh.epoch, offset: 1 });
      } finally {
        await sub.close();
      }
    }),
});

Deno.test({
  name: "FleetEventSubscriber: start() returns while Redis is down and delivers once it is back",
  ignore: !REDIS_SERVER,
  fn: () =>
    withPrivateRedis(async (server, redis) => {
      const stream = new FleetEventStream(redis);
      const first = await stream.publish("before the outage");
      await server.stop();
      const got: FleetEvent[] = [];
      const sub = new FleetEventSubscriber(stream, {
        onEvent: (e) => got.push(e),
        checkIntervalMs: 100,
      });
      try {
        // Without the fix start() waited for "ready" for as long as Redis stayed away.
        const started = await Promise.race([
          sub.start({ epoch: first.epoch, offset: 0 }).then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), 10_000)),
        ]);
        assert.equal(started, true);
        assert.equal(sub.connected, false);
        // The restarted server lost its data (no persistence): the subscriber follows the new
        // epoch from its first event.
        await server.start();
        await until(() => redis.isUp, 10_000);
        const after = await stream.publish("after the outage");
        await until(() => got.some((e) => e.payload === "after the outage"), 10_000);
        assert.ok(sub.connected);
        assert.deepEqual(got.at(-1), after);
      } finally {
        await sub.close();
      }
    }),
});
