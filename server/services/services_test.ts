import assert from "node:assert/strict";
import { createTestApp } from "../testing/test_app.ts";

const FLEET_WARNING = /REDIS_URL is set, but the multi-instance \(fleet\) mode is not built/;

Deno.test("core services: REDIS_URL set warns that the instance runs embedded", async () => {
  const t = await createTestApp({ env: { REDIS_URL: "redis://127.0.0.1:6379" } });
  try {
    const warned = t.logger.lines.filter((l) => FLEET_WARNING.test(String(l.msg)));
    assert.equal(warned.length, 1);
    assert.equal(warned[0].level, "warn");
  } finally {
    await t.close();
  }
});

Deno.test("core services: no REDIS_URL, no fleet warning", async () => {
  const t = await createTestApp();
  try {
    assert.equal(t.logger.lines.some((l) => FLEET_WARNING.test(String(l.msg))), false);
  } finally {
    await t.close();
  }
});
