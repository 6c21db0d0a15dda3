import assert from "node:assert/strict";
import { jsonAnswer, jsonTextAnswer } from "./json_answer.ts";

Deno.test("jsonAnswer: JSON text, its content type, status 200 by default", async () => {
  const res = jsonAnswer({ a: 1, b: ["x"] });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(await res.json(), { a: 1, b: ["x"] });
});

Deno.test("jsonTextAnswer: fields are added, and the middleware can add more", async () => {
  const res = jsonTextAnswer('{"ok":true}', {
    fields: { "cache-control": "no-store", "x-cache": "HIT" },
  });
  res.headers.set("x-request-id", "abc");
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("x-cache"), "HIT");
  assert.equal(res.headers.get("x-request-id"), "abc");
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal(await res.text(), '{"ok":true}');
});

Deno.test("jsonAnswer: another status keeps its fields", async () => {
  const res = jsonAnswer({ ready: false }, {
    status: 503,
    fields: { "cache-control": "no-store" },
  });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(await res.json(), { ready: false });
});
