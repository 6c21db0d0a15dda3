import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import { jsonTextAnswer } from "../http/json_answer.ts";
import { compress } from "./compress.ts";

const BIG = JSON.stringify({
  bets: Array.from({ length: 100 }, (_, i) => ({ id: i, edge: 0.05 })),
});

function app(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", compress());
  app.get("/big", () => jsonTextAnswer(BIG));
  app.post("/big", () => jsonTextAnswer(BIG));
  app.get("/small", () => jsonTextAnswer('{"status":"ok"}'));
  app.get(
    "/png",
    () => new Response(new Uint8Array(4096), { headers: { "content-type": "image/png" } }),
  );
  app.get("/encoded", () =>
    new Response("already", {
      headers: { "content-type": "text/plain", "content-encoding": "br" },
    }));
  app.get(
    "/no-transform",
    () => jsonTextAnswer(BIG, { fields: { "cache-control": "no-transform" } }),
  );
  return app;
}

Deno.test("compress: brotli or gzip as accepted, with Vary", async (t) => {
  const a = app();
  await t.step("brotli", async () => {
    const res = await a.request("/big", { headers: { "accept-encoding": "gzip, deflate, br" } });
    assert.equal(res.headers.get("content-encoding"), "br");
    assert.equal(res.headers.get("vary"), "Accept-Encoding");
    assert.equal(res.headers.get("content-type"), "application/json");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.ok(bytes.byteLength < BIG.length / 4, String(bytes.byteLength));
    assert.equal(new TextDecoder().decode(brotliDecompressSync(bytes)), BIG);
  });
  await t.step("gzip", async () => {
    const res = await a.request("/big", { headers: { "accept-encoding": "gzip" } });
    assert.equal(res.headers.get("content-encoding"), "gzip");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(new TextDecoder().decode(gunzipSync(bytes)), BIG);
  });
});

Deno.test("compress: leaves alone what it should not compress", async (t) => {
  const a = app();
  const br = { "accept-encoding": "br" };
  await t.step("no Accept-Encoding: body as sent, Vary still set", async () => {
    const res = await a.request("/big");
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(res.headers.get("vary"), "Accept-Encoding");
    assert.equal(await res.text(), BIG);
  });
  await t.step(
    "a POST without Accept-Encoding: no Vary either (caches do not store it)",
    async () => {
      const res = await a.request("/big", { method: "POST" });
      assert.equal(res.headers.get("vary"), null);
      assert.equal(await res.text(), BIG);
      const br = await a.request("/big", { method: "POST", headers: { "accept-encoding": "br" } });
      assert.equal(br.headers.get("content-encoding"), "br");
      await br.body?.cancel();
    },
  );
  await t.step("a small body", async () => {
    const res = await a.request("/small", { headers: br });
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(await res.text(), '{"status":"ok"}');
  });
  await t.step("an image", async () => {
    const res = await a.request("/png", { headers: br });
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(res.headers.get("vary"), null);
    assert.equal((await res.arrayBuffer()).byteLength, 4096);
  });
  await t.step("an answer already encoded", async () => {
    const res = await a.request("/encoded", { headers: br });
    assert.equal(res.headers.get("content-encoding"), "br");
    assert.equal(await res.text(), "already");
  });
  await t.step("Cache-Control: no-transform", async () => {
    const res = await a.request("/no-transform", { headers: br });
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(await res.text(), BIG);
  });
});
