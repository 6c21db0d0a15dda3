import assert from "node:assert/strict";
import {
  FleetRedis,
  isConnectionError,
  RedisUnavailableError,
  type StatusLogger,
} from "./redis_client.ts";
import {
  connectedClient,
  PrivateRedis,
  REDIS_SERVER,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  until,
  withPrivateRedis,
} from "./test_redis.ts";

class RecordingLogger implements StatusLogger {
  lines: { level: string; msg: string }[] = [];
  warn(msg: string): void {
    this.lines.push({ level: "warn", msg });
  }
  info(msg: string): void {
    this.lines.push({ level: "info", msg });
  }
}

Deno.test({
  name: "FleetRedis: is up with a round-trip time and counts fallbacks in its status",
  ignore: !SHARED_REDIS,
  async fn() {
    const latencies: string[] = [];
    const ups: boolean[] = [];
    const client = new FleetRedis({
      url: SHARED_REDIS_URL,
      instanceId: "test-1",
      logger: new RecordingLogger(),
      hooks: { onCommand: (c) => latencies.push(c), onUp: (u) => ups.push(u) },
    });
    try {
      await until(() => client.isUp);
      const rtt = await client.ping();
      assert.ok(rtt >= 0 && rtt < 10_000, `a round trip in milliseconds: ${rtt}`);
      client.fallback("rate_limit");
      client.fallback("rate_limit");
      const s = client.status();
      assert.equal(s.state, "up");
      assert.equal(s.address, "127.0.0.1:6379");
      assert.equal(s.instance_id, "test-1");
      assert.equal(s.rtt_ms, rtt);
      assert.deepEqual(s.fallbacks, { rate_limit: 2 });
      assert.deepEqual(ups, [true]);
      assert.ok(latencies.includes("ping"));
    } finally {
      await client.close();
    }
    assert.equal(client.state, "disabled");
  },
});

Deno.test({
  name: "FleetRedis: rejects a URL that is not redis: or rediss:",
  fn() {
    assert.throws(
      () => new FleetRedis({ url: "http://:hunter22@127.0.0.1:6379" }),
      (e: unknown) =>
        e instanceof Error &&
        e.message ===
          'Cannot use the Redis URL: Expected a redis: or rediss: URL like "redis://:password@host:6379", got "http://:***@127.0.0.1:6379"',
    );
  },
});

Deno.test({
  name: "FleetRedis: the last error never contains the password",
  ignore: !REDIS_SERVER,
  async fn() {
    const server = new PrivateRedis(["--requirepass", "the-real-one"]);
    await server.start();
    const logger = new RecordingLogger();
    const client = new FleetRedis({
      url: `redis://:hunter2-wrong@127.0.0.1:${server.port}`,
      logger,
      maxBackoffMs: 100,
    });
    try {
      await until(() => client.status().last_error !== null);
      const s = client.status();
      assert.ok(!s.last_error!.includes("hunter2"), s.last_error!);
      assert.ok(logger.lines.every((l) => !l.msg.includes("hunter2")));
    } finally {
      await client.close();
      await server.stop();
    }
  },
});

Deno.test({
  name: "FleetRedis: logs one warning for an outage and one info line when Redis is back",
  ignore: !REDIS_SERVER,
  async fn() {
    const server = new PrivateRedis();
    await server.start();
    const logger = new RecordingLogger();
    const ups: boolean[] = [];
    const client = new FleetRedis({
      url: server.url,
      logger,
      fallback: "local rate limits",
      maxBackoffMs: 100,
      hooks: { onUp: (u) => ups.push(u) },
    });
    try {
      await until(() => client.isUp);
      await server.stop();
      await until(() => client.state === "degraded");
      // Many failing commands and reconnect attempts still make one line.
      for (let i = 0; i < 20; i++) {
        await client.timed("get", (r) => r.get("k")).catch(() => {});
      }
      // What callers get says Redis, not HTTP, and keeps the client's own error.
      await assert.rejects(
        client.timed("get", (r) => r.get("k")),
        (e: unknown) =>
          e instanceof RedisUnavailableError && e.cause instanceof Error &&
          e.message === `Cannot reach Redis: ${e.cause.message}`,
      );
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(logger.lines.length, 1);
      assert.equal(logger.lines[0].level, "warn");
      assert.match(
        logger.lines[0].msg,
        new RegExp(
          `^Redis unavailable at 127\\.0\\.0\\.1:${server.port}, falling back to local rate limits: .+`,
        ),
      );
      await server.start();
      await until(() => client.isUp);
      assert.deepEqual(logger.lines.map((l) => l.level), ["warn", "info"]);
      assert.equal(logger.lines[1].msg, `Redis available again at 127.0.0.1:${server.port}`);
      assert.deepEqual(ups, [true, false, true]);
    } finally {
      await client.close();
      await server.stop();
    }
  },
});

Deno.test({
  name: "FleetRedis: a command sent before the first connection logs no outage",
  ignore: !SHARED_REDIS,
  async fn() {
    const logger = new RecordingLogger();
    const client = new FleetRedis({ url: SHARED_REDIS_URL, logger });
    try {
      await assert.rejects(client.ping());
      await until(() => client.isUp);
      assert.deepEqual(logger.lines, []);
      assert.equal(client.status().last_error, null);
    } finally {
      await client.close();
    }
  },
});

Deno.test("isConnectionError: a command aborted by a connection reset is Redis being unreachable, a reply error is not", () => {
  // ioredis rejects in-flight commands with this message when the link resets under them
  // (the drill's fault proxy does this); it must become a 503, not a 500.
  assert.equal(isConnectionError(new Error("Command aborted due to connection close")), true);
  assert.equal(isConnectionError(new Error("Connection is closed.")), true);
  const reply = new Error("Command aborted due to connection close");
  reply.name = "ReplyError";
  assert.equal(isConnectionError(reply), false);
  assert.equal(isConnectionError(new TypeError("x is undefined")), false);
});

Deno.test({
  name: "FleetRedis: a command Redis does not answer in time fails as Redis unavailable",
  ignore: !REDIS_SERVER,
  async fn() {
    await withPrivateRedis(async (server) => {
      const client = await connectedClient(server.url, { commandTimeoutMs: 200 });
      const pauser = await connectedClient(server.url);
      try {
        // Redis holds every client's commands for 3 s, as a link that stopped carrying replies.
        await pauser.timed("pause", (r) => r.call("CLIENT", "PAUSE", "3000", "ALL"));
        const t0 = performance.now();
        await assert.rejects(
          client.timed("get", (r) => r.get("k")),
          (e: unknown) => e instanceof RedisUnavailableError,
        );
        const waited = performance.now() - t0;
        assert.ok(waited < 2000, `waited ${waited.toFixed(0)} ms`);
      } finally {
        await pauser.timed("unpause", (r) => r.call("CLIENT", "UNPAUSE")).catch(() => {});
        await pauser.close();
        await client.close();
      }
    });
  },
});
