import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { FleetCluster, type FleetInstance } from "../testing/fleet_cluster.ts";
import { SHARED_REDIS, SHARED_REDIS_URL } from "../fleet/test_redis.ts";

async function seen(instance: FleetInstance): Promise<string[]> {
  const { body } = await instance.json<{ components: { redis: { instances: string[] } } }>(
    "/health",
  );
  return body.components.redis.instances;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Condition not met in ${timeoutMs} ms`);
    // Waits on other processes' heartbeats, which no fake clock can drive.
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test({
  name: "fleet membership: every instance sees the others; SIGTERM leaves at once, SIGKILL by TTL",
  ignore: !SHARED_REDIS,
  async fn() {
    const cluster = await FleetCluster.start({ instances: 3 });
    const redis = new Redis(SHARED_REDIS_URL, { keyPrefix: cluster.keyPrefix });
    redis.on("error", () => {});
    try {
      const all = ["instance-0", "instance-1", "instance-2"];
      await until(async () => {
        const lists = await Promise.all(cluster.instances.map(seen));
        return lists.every((l) => JSON.stringify(l) === JSON.stringify(all));
      }, 30_000);

      await cluster.at(2).stop();
      assert.equal(cluster.at(2).exitStatus?.code, 0);
      // Its heartbeat key would live for its TTL (6 s); a graceful stop deletes it.
      assert.equal(await redis.exists("instance:instance-2"), 0);

      cluster.at(1).kill("SIGKILL");
      await cluster.at(1).exitedWith();
      assert.equal(await redis.exists("instance:instance-1"), 1, "a killed one cannot clean up");
      await until(async () => (await seen(cluster.at(0))).join() === "instance-0", 30_000);
    } finally {
      redis.disconnect(false);
      await cluster.close();
    }
  },
});
