/**
 * The server `deno task bench ws-attack --server=guarded` starts: the service routes of the app
 * (memory engine, no rate limiting) and a hub, on node:http, with `/ws` upgrades going through
 * the guarded upgrade (`server/live/guarded_upgrade.ts`). Plain requests are handed to the app's
 * fetch handler. It shows what the size guard does to RSS and to predictions during the attack
 * before the production listener uses it. Listens on `PORT` on 127.0.0.1.
 * @module
 */
import http from "node:http";
import { Buffer } from "node:buffer";
import { createLocalBroker } from "../server/live/broker.ts";
import { createMemoryEventLog } from "../server/live/event_log.ts";
import { createGuardedUpgrade } from "../server/live/guarded_upgrade.ts";
import { createHub } from "../server/live/hub.ts";
import { createTestApp } from "../server/testing/test_app.ts";

const { app, services } = await createTestApp({ env: { ENABLE_RATE_LIMITING: "false" } });
const log = createMemoryEventLog();
const hub = createHub({ log, broker: createLocalBroker(log) });
services.hub = hub;

const server = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method,
    headers: req.headers as Record<string, string>,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
  const response = await app.fetch(request, { remoteAddr: { hostname: req.socket.remoteAddress } });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
server.on("upgrade", createGuardedUpgrade(hub));
server.listen(Number(Deno.env.get("PORT") ?? 8000), "127.0.0.1");
