/**
 * Serves the app with `Deno.serve`, or on node:http when an `upgrade` handler is given (the
 * guarded WebSocket upgrade, `WS_SERVER=guarded`, the default: Deno's own upgrade has no
 * message-size limit), and shuts it down gracefully: readiness turns 503 while the
 * app keeps serving for a drain window (so a load balancer sees the instance leave instead of
 * refused connections), then the listener closes, long-lived connections are told to go, in-flight
 * requests finish (up to a timeout), and the owner's resources close.
 *
 * The guarded mode is the default although it costs: every request crosses node:http, which on
 * Deno 2.9 is Node's own HTTP server in JavaScript over a socket, and is turned into a fetch
 * `Request` again. Measured on a bare answer (A/B, interleaved, 4 rounds, CPU per request):
 * `Deno.serve` 11-19 µs, bare node:http 28-44 µs, node:http with our conversion
 * (`server/http/node_listener.ts`) 39-50 µs. So the node layer itself, not the conversion, is
 * most of the gap, and no conversion can close it.
 * `Deno.serve` plain HTTP with only upgrades through the guard on the same port would: Deno 2.9
 * cannot do it. `Deno.serve` gives no raw socket for an upgrade (`upgradeHttpRaw` is internal
 * and was dropped; a PR to expose it, denoland/deno#30784, closed unmerged) and its own
 * WebSocket has no size limit (denoland/deno#15809); a front that reads a connection's first
 * request to choose cannot hand the connection to `Deno.serve` with those bytes (no peek, no
 * replay), and copying bytes to an internal `Deno.serve` costs more than node:http. Without the
 * guard ten 50 MB frames take the process past 1 GB and every prediction answers 503;
 * `WS_SERVER=deno` buys the speed back where the WebSocket is not exposed to untrusted clients
 * (`deno task bench http --env WS_SERVER=guarded|deno`, docs/BENCHMARKS.md).
 * @module
 */
import type { Hono } from "hono";
import type { AppEnv } from "./app_env.ts";
import type { Services } from "../services/services.ts";
import type { UpgradeHandler } from "../live/guarded_upgrade.ts";
import { NodeListener } from "./node_listener.ts";

/** Options of {@link serveApp}. */
export interface ServeAppOptions {
  /** @default 8000 */
  port?: number;
  /** @default "0.0.0.0" */
  hostname?: string;
  /** Longest wait for in-flight requests. @default 10000 */
  shutdownTimeoutMs?: number;
  /**
   * How long the app keeps serving, with readiness at 503, before the listener closes. The
   * drain plus `shutdownTimeoutMs` must fit the platform's grace period (Render: 30 s).
   * @default 0 (the server's own default; `main` passes `SHUTDOWN_DRAIN_MS`)
   */
  drainMs?: number;
  /**
   * Called when the drain window ends and the listener closes: ends long-lived connections
   * (the WebSocket hub closes its sockets with 1001), which would otherwise hold the in-flight
   * wait until its timeout.
   */
  onDrained?: () => void;
  /** Closes what the caller owns (stores, models, KV), after the last request finished. */
  onClose?: () => Promise<void> | void;
  /** Called at the start of every request (cheap work only: it is on the hot path). */
  onRequest?: () => void;
  /**
   * Handles WebSocket upgrades on a node:http listener instead of `Deno.serve` (see
   * `createGuardedUpgrade`). @default undefined (`Deno.serve`, upgrades through the app)
   */
  upgrade?: UpgradeHandler;
  /** Called once listening, with the bound address. */
  onListen?: (addr: { hostname: string; port: number }) => void;
}

/** A running server. */
export interface RunningServer {
  /** The bound port (useful with port 0); 0 until {@link RunningServer.ready} resolved. */
  readonly port: number;
  /** Resolves once the server listens. */
  ready: Promise<void>;
  /** Resolves when the server has stopped and `onClose` ran. */
  finished: Promise<void>;
  /** Starts the graceful shutdown (idempotent); resolves when it is complete. */
  shutdown(reason: string): Promise<void>;
}

/** Serves `app` until {@link RunningServer.shutdown}. */
export function serveApp(
  app: Hono<AppEnv>,
  services: Services,
  options: ServeAppOptions = {},
): RunningServer {
  const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const onRequest = options.onRequest;
  const fetch = onRequest
    ? (req: Request, info: Deno.ServeHandlerInfo) => {
      onRequest();
      return app.fetch(req, info);
    }
    : app.fetch;
  const listen = {
    port: options.port ?? 8000,
    hostname: options.hostname ?? "0.0.0.0",
    onListen: (addr: { hostname: string; port: number }) =>
      options.onListen?.({ hostname: addr.hostname, port: addr.port }),
  };
  let port = 0;
  let ready: Promise<void>;
  let stopListening: () => Promise<void>;
  if (options.upgrade) {
    const server = new NodeListener(fetch as never, {
      ...listen,
      upgrade: options.upgrade,
      maxBufferedBodyBytes: services.config.maxBodyBytes,
    });
    ready = server.listening.then((bound) => void (port = bound));
    stopListening = () => server.shutdown();
  } else {
    const server = Deno.serve(listen, fetch);
    port = server.addr.port;
    ready = Promise.resolve();
    stopListening = () => server.shutdown();
  }

  let stopping: Promise<void> | undefined;
  let closed!: () => void;
  const finished = new Promise<void>((resolve) => (closed = resolve));

  function shutdown(reason: string): Promise<void> {
    stopping ??= (async () => {
      services.logger.info("Shutting down", { reason });
      services.health.setShuttingDown();
      const drainMs = options.drainMs ?? 0;
      if (drainMs > 0) {
        services.logger.info("Draining", { drain_ms: drainMs });
        await new Promise((resolve) => setTimeout(resolve, drainMs));
      }
      const stopped = stopListening();
      options.onDrained?.();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      const result = await Promise.race([stopped.then(() => "done" as const), timedOut]);
      clearTimeout(timer);
      if (result === "timeout") {
        services.logger.warn("In-flight requests did not finish in time", {
          timeout_ms: timeoutMs,
        });
      }
      try {
        await options.onClose?.();
      } finally {
        services.logger.info("Stopped");
        services.logger.flush();
        closed();
      }
    })();
    return stopping;
  }

  return {
    get port() {
      return port;
    },
    ready,
    finished,
    shutdown,
  };
}
