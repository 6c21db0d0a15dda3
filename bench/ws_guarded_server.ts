/**
 * The server `deno task bench ws-attack --server=guarded` starts: the service routes of the app
 * (memory engine, no rate limiting) and a hub, on node:http, with `/ws` upgrades going through
 * the guarded upgrade (`server/live/guarded_upgrade.ts`). Plain requests are handed to the app's
 * fetch handler. It shows what the size guard does to RSS and to predictions during the attack
 * before the production listener uses it. Listens on `PORT` on 127.0.0.1.
 * @module
 */
import { NodeListener } from "../server/http/node_listener.ts";
import { createLocalBroker } from "../server/live/broker.ts";
import { createMemoryEventLog } from "../server/live/event_log.ts";
import { createGuardedUpgrade } from "../server/live/guarded_upgrade.ts";
import { createHub } from "../server/live/hub.ts";
import { createTestApp } from "../server/testing/test_app.ts";

const { app, services } = await createTestApp({ env: { ENABLE_RATE_LIMITING: "false" } });
const log = createMemoryEventLog();
const hub = createHub({ log, broker: createLocalBroker(log) });
services.hub = hub;

new NodeListener(app.fetch as never, {
  port: Number(Deno.env.get("PORT") ?? 8000),
  hostname: "127.0.0.1",
  upgrade: createGuardedUpgrade(hub),
});
