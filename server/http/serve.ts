/**
 * Serves the app with `Deno.serve` and shuts it down gracefully: readiness turns 503, the
 * listener closes, in-flight requests finish (up to a timeout), then the owner's resources close.
 * @module
 */
import type { Hono } from "hono";
import type { AppEnv } from "./app_env.ts";
import type { Services } from "../services/services.ts";

/** Options of {@link serveApp}. */
export interface ServeAppOptions {
  /** @default 8000 */
  port?: number;
  /** @default "0.0.0.0" */
  hostname?: string;
  /** Longest wait for in-flight requests. @default 10000 */
  shutdownTimeoutMs?: number;
  /** Closes what the caller owns (stores, models, KV), after the last request finished. */
  onClose?: () => Promise<void> | void;
  /** Called at the start of every request (cheap work only: it is on the hot path). */
  onRequest?: () => void;
  /** Called once listening, with the bound address. */
  onListen?: (addr: { hostname: string; port: number }) => void;
}

/** A running server. */
export interface RunningServer {
  /** The bound port (useful with port 0). */
  port: number;
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
  const server = Deno.serve(
    {
      port: options.port ?? 8000,
      hostname: options.hostname ?? "0.0.0.0",
      onListen: (addr) => options.onListen?.({ hostname: addr.hostname, port: addr.port }),
    },
    onRequest
      ? (req, info) => {
        onRequest();
        return app.fetch(req, info);
      }
      : app.fetch,
  );

  let stopping: Promise<void> | undefined;
  let closed!: () => void;
  const finished = new Promise<void>((resolve) => (closed = resolve));

  function shutdown(reason: string): Promise<void> {
    stopping ??= (async () => {
      services.logger.info("Shutting down", { reason });
      services.health.setShuttingDown();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      const result = await Promise.race([server.shutdown().then(() => "done" as const), timedOut]);
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

  return { port: server.addr.port, finished, shutdown };
}
