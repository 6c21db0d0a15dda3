/**
 * Wires the live side of one instance: the KV event log, the broker, the WebSocket hub, the
 * value-bet alert engine and the odds pipeline (demo bookmaker and configured sources). Used by
 * `server/main.ts` and by the end-to-end tests, so both run the same wiring.
 * @module
 */
import type { Registry } from "prom-client";
import type { PredictionService } from "../predict/prediction_service.ts";
import { type AlertEngine, alertFilterOf, openAlertEngine } from "./alerts.ts";
import { DEFAULT_VALUE_POLICY, type ValuePolicy } from "../domain/value_policy.ts";
import { type Broker, createLocalBroker } from "./broker.ts";
import { openKvEventLog, type ReplaySource } from "./event_log.ts";
import { FleetBroker } from "../fleet/fleet_broker.ts";
import type { FleetRedis } from "../fleet/redis_client.ts";
import { matchSnapshots } from "./match_snapshots.ts";
import type { MatchOdds } from "../domain/live_protocol.ts";
import type { OddsStore } from "./odds_store.ts";
import { createHub, type Hub } from "./hub.ts";
import type { Config } from "../ops/config.ts";
import { type OddsFeed, startOddsFeed } from "./odds_feed.ts";
import type { SourceLeaders } from "../fleet/source_leaders.ts";
import { createRedisAlertStorage } from "../fleet/redis_alert_store.ts";
import { SourceLease } from "../fleet/source_lease.ts";
import { FencedWrites } from "../fleet/fenced_writes.ts";

/** The fleet lease whose holder settles alerts (`lease:` and `fence:` keys as a source's). */
export const SETTLEMENT_LEASE = "~alert-settlement";

/** Options of {@link openLiveServices}. */
export interface LiveServicesOptions {
  /** The instance's prediction service (REST and live predictions share it). */
  predictions: PredictionService;
  kv: Deno.Kv;
  /** Stops every loop. */
  signal: AbortSignal;
  /** prom-client registry for source and hub metrics. */
  registry?: Registry;
  /**
   * The served value-bet policy (the one the prediction engine was given): alerts open on its
   * edge and odds range, as the answers' value bets and the board's badges do.
   * @default DEFAULT_VALUE_POLICY
   */
  policy?: ValuePolicy;
  /**
   * The hub's coalescing window (see `HubOptions.batchMs`): events for a socket that still has
   * unsent data go out together as one `batch` frame. The browser client unpacks batches.
   * @default 25
   */
  batchMs?: number;
  /** The instance's configuration: live settings, `MODEL_DIR`, `CORS_ORIGINS` (for `/ws`). */
  config: Config;
  log?: (message: string) => void;
  /**
   * Fleet mode: events, odds and alerts go through this Redis; each odds source is scraped by
   * the instance holding its lease. @default embedded (nothing connects to Redis)
   */
  fleet?: FleetRedis;
  /** Life of the source leases in fleet mode. @default 10000 */
  leaseTtlMs?: number;
  /** Fleet mode: this instance started (`true`) or stopped leading a source. */
  onLeaderChange?: (source: string, leader: boolean) => void;
}

/** The running live side. */
export interface LiveServices {
  /** Sources, odds store and pipeline. */
  feed: OddsFeed;
  hub: Hub;
  alerts: AlertEngine;
  /** Where the hub's replays come from (the embedded event log, or the fleet broker). */
  log: ReplaySource;
  /** Fleet mode: the broker over Redis (its counters for `/health`). */
  fleetBroker?: FleetBroker;
  /**
   * Fleet mode: stops scraping and releases the source leases now, so another instance takes
   * over at once (shutdown calls it before the drain).
   */
  releaseLeases(): Promise<void>;
  /** Stops the loops (after the signal aborted) and releases everything but KV. */
  close(): Promise<void>;
}

/** Starts the live side; the caller aborts `signal` and then awaits `close()`. */
export async function openLiveServices(options: LiveServicesOptions): Promise<LiveServices> {
  const { kv, signal, registry, fleet } = options;
  let leaders: SourceLeaders | undefined;
  let log: ReplaySource & { close(): Promise<void> };
  let broker: Broker;
  let fleetBroker: FleetBroker | undefined;
  const fenced = fleet ? new FencedWrites({ registry, log: options.log }) : undefined;
  if (fleet) {
    fleetBroker = await FleetBroker.open(fleet, {
      fenceOf: (source) => leaders?.fenceOf(source) ?? null,
      fenced,
      signal,
    });
    log = broker = fleetBroker;
  } else {
    const kvLog = await openKvEventLog(kv, { perTopic: 500 });
    log = kvLog;
    broker = createLocalBroker(kvLog);
  }
  const hub = createHub({
    log,
    broker,
    registry,
    allowedOrigins: options.config.corsOrigins,
    signal,
    batchMs: options.batchMs ?? 25,
    snapshot: fleet ? matchSnapshots(() => started.store) : undefined,
  });
  // In the fleet one instance at a time settles alerts (the holder of this lease), with the
  // closing prices of the shared odds store: the others need not have seen them.
  const settleLease = fleet
    ? new SourceLease(fleet, SETTLEMENT_LEASE, { ttlMs: options.leaseTtlMs, signal })
    : undefined;
  void settleLease?.start();
  const alerts = await openAlertEngine({
    kv,
    // In the fleet every instance receives every event; alerts are made once, by the instance
    // that published the value bet (the leader of its source).
    broker: fleetBroker?.own() ?? broker,
    storage: fleet ? createRedisAlertStorage(fleet, { fenced }) : undefined,
    settleLease,
    closingOdds: fleet ? (id) => closingOddsOf(started.store, id) : undefined,
    signal,
    filter: alertFilterOf(options.policy ?? DEFAULT_VALUE_POLICY),
  });
  const started: OddsFeed = await startOddsFeed({
    predictions: options.predictions,
    signal,
    broker,
    kv,
    registry,
    config: options.config.live,
    modelsDir: options.config.modelDir,
    dataDir: options.config.dataDir,
    log: options.log,
    fleet: fleet
      ? {
        redis: fleet,
        leaseTtlMs: options.leaseTtlMs,
        onLeaderChange: options.onLeaderChange,
        onLeaders: (l) => leaders = l,
        fenced,
      }
      : undefined,
  });
  return {
    feed: started,
    hub,
    alerts,
    log,
    fleetBroker,
    releaseLeases: async () => {
      await Promise.all([started.leaders?.close(), settleLease?.close()]);
    },
    async close() {
      hub.close();
      // Released leases let a follower take over at once instead of after their TTL.
      await Promise.all([started.leaders?.close(), settleLease?.close()]);
      await started.pipeline.done;
      await started.demo?.close();
      await alerts.close();
      await log.close();
    },
  };
}

/** The last prices any source quoted for a match before its kick-off, from the odds store. */
async function closingOddsOf(store: OddsStore | undefined, id: string): Promise<MatchOdds | null> {
  const match = await store?.get(id);
  if (!store || !match) return null;
  const kickoff = match.kickoff;
  const before = (await store.history(id)).filter((s) => Date.parse(s.at) <= Date.parse(kickoff));
  return before.at(-1)?.odds ?? null;
}
