import assert from "node:assert/strict";
import { createTestApp } from "../testing/test_app.ts";

Deno.test("requestId: answers a route builds itself carry the id too", async (t) => {
  const app = await createTestApp();
  try {
    await t.step("a sane client id is echoed", async () => {
      const res = await app.app.request("/health/live", {
        headers: { "x-request-id": "client.id:0001" },
      });
      await res.body?.cancel();
      assert.equal(res.headers.get("x-request-id"), "client.id:0001");
    });
    await t.step("without one a UUID is made", async () => {
      const res = await app.app.request("/health/live");
      await res.body?.cancel();
      assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    });
  } finally {
    await app.close();
  }
});
