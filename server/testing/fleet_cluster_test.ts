import assert from "node:assert/strict";
import { FleetCluster } from "./fleet_cluster.ts";
import { SHARED_REDIS } from "../fleet/test_redis.ts";

/** Whether a GET answers within `ms` (a paused process holds the connection unanswered). */
async function answers(url: string, ms: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ms) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

Deno.test({
  name: "FleetCluster: starts real processes that pause, resume, die and restart on their port",
  ignore: !SHARED_REDIS,
  async fn() {
    const cluster = await FleetCluster.start({ instances: 2 });
    try {
      const [a, b] = cluster.instances;
      assert.notEqual(a.port, b.port);
      assert.notEqual(a.pid, b.pid);
      assert.equal(await answers(`${a.url}/health/live`, 5000), true);

      a.pause();
      assert.equal(await answers(`${a.url}/health/live`, 500), false, "a paused process is mute");
      a.resume();
      assert.equal(await answers(`${a.url}/health/live`, 10_000), true, "and answers again");

      b.kill("SIGKILL");
      const status = await b.exitedWith();
      assert.equal(status.signal, "SIGKILL");
      assert.equal(b.exited, true);
      assert.equal(await answers(`${b.url}/health/live`, 1000), false);
      await b.restart();
      assert.equal(await answers(`${b.url}/health/live`, 5000), true, "back on the same port");

      // stdout is collected (the line may arrive after readiness: the service batches stdout).
      await a.waitForLog((l) => l.msg === "Listening");
    } finally {
      await cluster.close();
    }
    assert.ok(cluster.instances.every((i) => i.exited), "close() leaves no process behind");
  },
});

Deno.test({
  name: "main: a fleet instance connects to Redis; without REDIS_URL no connection is made",
  ignore: !SHARED_REDIS,
  async fn() {
    const fleet = await FleetCluster.start({ instances: 1 });
    const embedded = await FleetCluster.start({ instances: 1, redisUrl: null });
    try {
      // The positive case shows the count sees a Redis connection when one exists (waited for:
      // readiness does not wait on Redis, which may still be connecting).
      const deadline = performance.now() + 10_000;
      while (await fleet.at(0).tcpConnectionsTo(6379) < 1) {
        assert.ok(performance.now() < deadline, "the fleet instance never connected to Redis");
        await new Promise((r) => setTimeout(r, 50));
      }
      // Requests that touch every store, then the count again.
      for (const path of ["/health", "/health/ready", "/api/v1/leagues", "/metrics"]) {
        const res = await fetch(embedded.at(0).url + path);
        await res.body?.cancel();
      }
      assert.equal(await embedded.at(0).tcpConnectionsTo(6379), 0);
      const listening = await embedded.at(0).waitForLog((l) => l.msg === "Listening");
      assert.equal(listening.fleet, false);
    } finally {
      await Promise.all([fleet.close(), embedded.close()]);
    }
  },
});
