import assert from "node:assert/strict";
import { FleetEventStream, parseEventMessage } from "./event_stream.ts";
import {
  connectedClient,
  deleteKeys,
  REDIS_SERVER,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
  withPrivateRedis,
} from "./test_redis.ts";

Deno.test("parseEventMessage: reads epoch, offset and a payload that contains spaces", () => {
  assert.deepEqual(parseEventMessage('e1 7 {"a": 1}'), {
    epoch: "e1",
    offset: 7,
    payload: '{"a": 1}',
  });
  assert.equal(parseEventMessage("e1 x {}"), null);
  assert.equal(parseEventMessage("e1"), null);
});

Deno.test({
  name: "FleetEventStream: since() returns the whole gap in order, or not recovered",
  ignore: !SHARED_REDIS,
  async fn(t) {
    const prefix = testPrefix("events");
    const redis = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const stream = new FleetEventStream(redis, { maxLen: 10 });
    try {
      const first = await stream.publish("p1");
      assert.equal(first.offset, 1);
      const epoch = first.epoch;
      for (let i = 2; i <= 5; i++) await stream.publish(`p${i}`);
      assert.deepEqual(await stream.position(), { epoch, offset: 5 });

      await t.step("a gap within the stream comes back whole", async () => {
        const r = await stream.since(2, epoch);
        assert.ok(r.recovered);
        assert.deepEqual(r.events.map((e) => [e.offset, e.payload]), [[3, "p3"], [4, "p4"], [
          5,
          "p5",
        ]]);
        assert.deepEqual(await stream.since(5, epoch), { recovered: true, epoch, events: [] });
      });
      await t.step("another epoch or an offset never issued is not recovered", async () => {
        assert.deepEqual(await stream.since(2, "old"), { recovered: false, epoch });
        assert.deepEqual(await stream.since(9, epoch), { recovered: false, epoch });
      });
      await t.step(
        "a gap reaching past the trimmed history is not recovered, not cut",
        async () => {
          // MAXLEN ~ trims whole stream nodes (100 entries each by default).
          for (let i = 6; i <= 400; i++) await stream.publish(`p${i}`);
          assert.deepEqual(await stream.since(0, epoch), { recovered: false, epoch });
          const r = await stream.since(395, epoch);
          assert.ok(r.recovered);
          assert.deepEqual(r.events.map((e) => e.offset), [396, 397, 398, 399, 400]);
        },
      );
    } finally {
      await deleteKeys(redis.redis, prefix);
      await redis.close();
    }
  },
});

Deno.test({
  name: "FleetEventStream: FLUSHALL makes a new epoch and old offsets are not recovered",
  ignore: !REDIS_SERVER,
  fn: () =>
    withPrivateRedis(async (_server, redis) => {
      const stream = new FleetEventStream(redis);
      const a = await stream.publish("before");
      await redis.redis.flushall();
      const r = await stream.since(a.offset, a.epoch);
      assert.equal(r.recovered, false);
      assert.notEqual(r.epoch, a.epoch);
      const b = await stream.publish("after");
      assert.deepEqual([b.epoch, b.offset], [r.epoch, 1]);
    }),
});
