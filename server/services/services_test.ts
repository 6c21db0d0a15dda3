import assert from "node:assert/strict";
import { createTestApp } from "../testing/test_app.ts";
import { loadConfig } from "../ops/config.ts";
import { createMemoryLogger } from "../ops/logger.ts";
import { openFleetRedis } from "./services.ts";
import { FleetRedis } from "../fleet/redis_client.ts";
import {
  PrivateRedis,
  QUIET_LOGGER,
  REDIS_SERVER,
  SHARED_REDIS_URL,
  until,
} from "../fleet/test_redis.ts";

Deno.test("openFleetRedis: embedded mode (no REDIS_URL, or REDIS_ENABLED=false) opens nothing", () => {
  const logger = createMemoryLogger("debug");
  assert.equal(openFleetRedis({ config: loadConfig({}), logger }), undefined);
  assert.equal(
    openFleetRedis({
      config: loadConfig({ REDIS_URL: SHARED_REDIS_URL, REDIS_ENABLED: "false" }),
      logger,
    }),
    undefined,
  );
});

Deno.test("openFleetRedis: REDIS_URL set gives one client with the configured prefix and id", async () => {
  const config = loadConfig({
    REDIS_URL: SHARED_REDIS_URL,
    REDIS_KEY_PREFIX: "test:services:",
    INSTANCE_ID: "web-1",
  });
  const fleet = openFleetRedis({ config, logger: QUIET_LOGGER as never });
  assert.ok(fleet instanceof FleetRedis);
  try {
    assert.equal(fleet.keyPrefix, "test:services:");
    assert.equal(fleet.instanceId, "web-1");
  } finally {
    await fleet.close();
  }
});

Deno.test("core services: no REDIS_URL, no fleet client and no fleet-mode warning", async () => {
  const t = await createTestApp();
  try {
    assert.equal(t.services.fleet, undefined);
    assert.equal(t.logger.lines.some((l) => l.level === "warn"), false);
  } finally {
    await t.close();
  }
});

Deno.test({
  name: "openFleetRedis: REDIS_ENABLED=false never connects to the Redis it names",
  ignore: !REDIS_SERVER,
  async fn() {
    const server = new PrivateRedis();
    await server.start();
    const probe = new FleetRedis({ url: server.url, logger: QUIET_LOGGER });
    try {
      await until(() => probe.isUp);
      const config = loadConfig({ REDIS_URL: server.url, REDIS_ENABLED: "false" });
      assert.equal(openFleetRedis({ config, logger: createMemoryLogger("debug") }), undefined);
      // Give a stray client time to show up.
      await probe.ping();
      const clients = String(await probe.redis.call("CLIENT", "LIST")).trim().split("\n");
      assert.equal(clients.length, 1, `only the probe is connected: ${clients.join(" | ")}`);
    } finally {
      await probe.close();
      await server.stop();
    }
  },
});
