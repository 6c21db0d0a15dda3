/**
 * Wires the live side of one instance: the KV event log, the broker, the WebSocket hub, the
 * value-bet alert engine and the odds pipeline (demo bookmaker and configured sources). Used by
 * `server/main.ts` and by the end-to-end tests, so both run the same wiring.
 * @module
 */
import type { Registry } from "prom-client";
import type { PredictionService } from "../predict/prediction_service.ts";
import { type AlertEngine, openAlertEngine } from "./alerts.ts";
import { createLocalBroker } from "./broker.ts";
import { type EventLog, openKvEventLog } from "./event_log.ts";
import { createHub, type Hub } from "./hub.ts";
import type { Config } from "../ops/config.ts";
import { type OddsFeed, startOddsFeed } from "./odds_feed.ts";

/** Options of {@link openLiveServices}. */
export interface LiveServicesOptions {
  /** The instance's prediction service (REST and live predictions share it). */
  predictions: PredictionService;
  kv: Deno.Kv;
  /** Stops every loop. */
  signal: AbortSignal;
  /** prom-client registry for source and hub metrics. */
  registry?: Registry;
  /** Minimum edge for a stored value-bet alert. @default 0.03 */
  alertMinEdge?: number;
  /**
   * The hub's coalescing window (see `HubOptions.batchMs`): events for a socket that still has
   * unsent data go out together as one `batch` frame. The browser client unpacks batches.
   * @default 25
   */
  batchMs?: number;
  /** The instance's configuration: live settings, `MODEL_DIR`, `CORS_ORIGINS` (for `/ws`). */
  config: Config;
  log?: (message: string) => void;
}

/** The running live side. */
export interface LiveServices {
  /** Sources, odds store and pipeline. */
  feed: OddsFeed;
  hub: Hub;
  alerts: AlertEngine;
  log: EventLog;
  /** Stops the loops (after the signal aborted) and releases everything but KV. */
  close(): Promise<void>;
}

/** Starts the live side; the caller aborts `signal` and then awaits `close()`. */
export async function openLiveServices(options: LiveServicesOptions): Promise<LiveServices> {
  const { kv, signal, registry } = options;
  const log = await openKvEventLog(kv, { perTopic: 500 });
  const broker = createLocalBroker(log);
  const hub = createHub({
    log,
    broker,
    registry,
    allowedOrigins: options.config.corsOrigins,
    signal,
    batchMs: options.batchMs ?? 25,
  });
  const alerts = await openAlertEngine({
    kv,
    broker,
    signal,
    filter: { minEdge: options.alertMinEdge ?? 0.03 },
  });
  const feed = await startOddsFeed({
    predictions: options.predictions,
    signal,
    broker,
    kv,
    registry,
    config: options.config.live,
    modelsDir: options.config.modelDir,
    dataDir: options.config.dataDir,
    log: options.log,
  });
  return {
    feed,
    hub,
    alerts,
    log,
    async close() {
      hub.close();
      await feed.pipeline.done;
      await feed.demo?.close();
      await alerts.close();
      await log.close();
    },
  };
}
