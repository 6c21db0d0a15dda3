import assert from "node:assert/strict";
import { type FloorAnswers, serveCapturedAnswers } from "./floor_server.ts";

const ANSWERS: FloorAnswers = {
  get: {
    headers: [["content-type", "application/json"], ["x-request-id", "id-live"]],
    body: '{"status":"ok"}',
  },
  post: {
    headers: [
      ["content-type", "application/json"],
      ["x-cache", "HIT"],
      ["transfer-encoding", "chunked"],
    ],
    body: JSON.stringify({ probabilities: { home_win: 0.5 }, pad: "x".repeat(2_000) }),
  },
};

Deno.test("floor server: GET gets the live answer, POST reads the body and gets the cached one", async () => {
  const server = serveCapturedAnswers(ANSWERS);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const live = await fetch(`${base}/health/live`);
    assert.equal(live.status, 200);
    assert.equal(live.headers.get("x-request-id"), "id-live");
    assert.equal(await live.text(), ANSWERS.get.body);

    const hit = await fetch(`${base}/api/v1/predictions`, { method: "POST", body: '{"a":1}' });
    assert.equal(hit.status, 200);
    assert.equal(hit.headers.get("x-cache"), "HIT");
    assert.equal(hit.headers.get("transfer-encoding"), "chunked");
    assert.equal(await hit.text(), ANSWERS.post.body);

    const empty = await fetch(`${base}/api/v1/predictions`, { method: "POST" });
    assert.equal(empty.status, 400);
    await empty.body?.cancel();
  } finally {
    await server.shutdown();
  }
});
