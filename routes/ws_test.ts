import assert from "node:assert/strict";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../server/http/app_env.ts";
import type { HttpError } from "../server/http/errors.ts";
import type { Services } from "../server/services/services.ts";
import { rawConnect, type RawWebSocket } from "../server/live/raw_ws_client.ts";
import { startWsServer } from "../server/testing/ws_test_server.ts";
import { handler as wsHandler } from "./ws.ts";

/** Opens `count` raw connections, the i-th with `headers(i)`; returns them all. */
async function connectMany(
  port: number,
  count: number,
  headers: (i: number) => Record<string, string>,
): Promise<RawWebSocket[]> {
  const sockets: RawWebSocket[] = [];
  for (let i = 0; i < count; i++) sockets.push(await rawConnect(port, { headers: headers(i) }));
  return sockets;
}

function statuses(sockets: RawWebSocket[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const s of sockets) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return counts;
}

Deno.test("ws route: plain GET is 426; without a hub it is 503", async () => {
  const s = startWsServer();
  try {
    const res = await fetch(`http://127.0.0.1:${s.port}/ws`);
    assert.equal(res.status, 426);
    assert.equal((await res.json()).error.code, "upgrade_required");
  } finally {
    await s.close();
  }
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("services", {} as Services);
    await next();
  });
  app.onError((err, c) => c.json({}, (err as HttpError).status as ContentfulStatusCode));
  app.get("/ws", wsHandler.GET!);
  assert.equal((await app.request("/ws", { headers: { upgrade: "websocket" } })).status, 503);
});

Deno.test("ws route: the per-address limit counts forwarded clients only behind a trusted proxy", async (t) => {
  const forwarded = (i: number) => ({ "X-Forwarded-For": `203.0.113.${i + 1}` });

  await t.step("TRUST_PROXY=1: 100 clients through one peer address all connect", async () => {
    const s = startWsServer({ env: { TRUST_PROXY: "1" } });
    const sockets = await connectMany(s.port, 100, forwarded);
    try {
      assert.deepEqual([...statuses(sockets)], [[101, 100]]);
      assert.equal(s.hub.metrics().rejected_limit, 0);
    } finally {
      for (const socket of sockets) socket.close();
      await s.close();
    }
  });

  await t.step("TRUST_PROXY=1: one forwarded client still gets at most 20", async () => {
    const s = startWsServer({ env: { TRUST_PROXY: "1" } });
    const sockets = await connectMany(s.port, 21, () => ({ "X-Forwarded-For": "203.0.113.9" }));
    try {
      assert.deepEqual(sockets.map((x) => x.status).slice(19), [101, 429]);
    } finally {
      for (const socket of sockets) socket.close();
      await s.close();
    }
  });

  await t.step("unset: a spoofed X-Forwarded-For is ignored and the 21st is refused", async () => {
    const s = startWsServer();
    const sockets = await connectMany(s.port, 21, forwarded);
    try {
      assert.deepEqual([...statuses(sockets)], [[101, 20], [429, 1]]);
      assert.equal(sockets[20].status, 429);
      assert.equal(s.hub.metrics().rejected_limit, 1);
    } finally {
      for (const socket of sockets) socket.close();
      await s.close();
    }
  });
});

Deno.test("ws route: upgrades from origins not allowed are refused with 403", async () => {
  const s = startWsServer({ allowedOrigins: ["https://sabiscore.example"] });
  try {
    const refused = await rawConnect(s.port, { origin: "https://evil.example" });
    assert.equal(refused.status, 403);
    assert.match(new TextDecoder().decode(refused.leftover), /origin_not_allowed/);
    refused.close();
    const allowed = await rawConnect(s.port, { origin: "https://sabiscore.example" });
    assert.equal(allowed.status, 101);
    allowed.close();
    assert.equal(s.hub.metrics().rejected_origin, 1);
  } finally {
    await s.close();
  }
});
