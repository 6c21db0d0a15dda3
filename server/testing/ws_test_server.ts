/**
 * The real `/ws` route and hub on a real Hono app on loopback port 0, for socket tests. The
 * app's services hold only the hub and the configuration the route reads.
 * @module
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../http/app_env.ts";
import { HttpError } from "../http/errors.ts";
import { loadConfig } from "../ops/config.ts";
import type { Services } from "../services/services.ts";
import { handler as wsHandler } from "../../routes/ws.ts";
import { type Broker, createLocalBroker } from "../live/broker.ts";
import { createMemoryEventLog, type EventLog } from "../live/event_log.ts";
import { createHub, type Hub, type HubOptions } from "../live/hub.ts";

/** Options of {@link startWsServer}: hub options besides the log, and the server's setup. */
export interface WsTestServerOptions extends Partial<HubOptions> {
  /** Wraps the memory event log (e.g. to fail or slow replays). @default none */
  wrapLog?: (log: EventLog) => EventLog;
  /** Environment for `loadConfig` (e.g. `TRUST_PROXY`). @default {} */
  env?: Record<string, string>;
}

/** A running test server. */
export interface WsTestServer {
  port: number;
  url: string;
  hub: Hub;
  broker: Broker;
  log: EventLog;
  close(): Promise<void>;
}

/** Starts the `/ws` route on 127.0.0.1, port 0. */
export function startWsServer(options: WsTestServerOptions = {}): WsTestServer {
  const { wrapLog, env, ...hubOptions } = options;
  const inner = createMemoryEventLog();
  const log = wrapLog ? wrapLog(inner) : inner;
  const broker = createLocalBroker(log);
  const ac = new AbortController();
  const hub = createHub({ log, broker, signal: ac.signal, ...hubOptions });
  const config = loadConfig(env ?? {});
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("services", { hub, config } as unknown as Services);
    await next();
  });
  app.onError((err, c) => {
    if (err instanceof HttpError) {
      return c.json(
        { error: { code: err.code, message: err.message } },
        err.status as ContentfulStatusCode,
      );
    }
    return c.json({ error: { code: "internal_error" } }, 500);
  });
  app.get("/ws", wsHandler.GET!);
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
    app.fetch,
  );
  const port = server.addr.port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    hub,
    broker,
    log,
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}
