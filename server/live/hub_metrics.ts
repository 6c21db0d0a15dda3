/**
 * Prometheus metrics of the WebSocket hub, read from the hub's own counters at scrape time (so
 * the send path only bumps plain numbers).
 * @module
 */
import { Counter, Gauge, type Registry } from "prom-client";

/** Counters and gauges of a hub. */
export interface HubMetrics {
  connections: number;
  /** Sockets closed by the hub whose peer has not finished closing yet. */
  closing: number;
  subscriptions: number;
  events_broadcast: number;
  messages_sent: number;
  bytes_sent: number;
  slow_consumers_dropped: number;
  /** `batch` frames sent, and the events they carried. */
  batches_sent: number;
  batched_events: number;
  idle_closed: number;
  client_errors: number;
  replays: number;
  rejected_origin: number;
  rejected_limit: number;
}

type CounterName = Exclude<keyof HubMetrics, "connections" | "closing" | "subscriptions">;

const COUNTERS: [string, string, CounterName][] = [
  ["sabiscore_ws_events_broadcast_total", "Live events broadcast by the hub", "events_broadcast"],
  ["sabiscore_ws_messages_sent_total", "WebSocket messages sent to clients", "messages_sent"],
  ["sabiscore_ws_bytes_sent_total", "Characters of WebSocket messages sent", "bytes_sent"],
  [
    "sabiscore_ws_slow_consumers_dropped_total",
    "Connections closed with 1013 because their send buffer was full",
    "slow_consumers_dropped",
  ],
  ["sabiscore_ws_batches_sent_total", "Batch frames sent to busy connections", "batches_sent"],
  ["sabiscore_ws_batched_events_total", "Events sent inside batch frames", "batched_events"],
  ["sabiscore_ws_idle_closed_total", "Connections closed for inactivity", "idle_closed"],
  [
    "sabiscore_ws_client_errors_total",
    "Invalid client messages answered with error",
    "client_errors",
  ],
  ["sabiscore_ws_replays_total", "Subscriptions that replayed missed events", "replays"],
  ["sabiscore_ws_rejected_origin_total", "Upgrades refused: origin not allowed", "rejected_origin"],
  ["sabiscore_ws_rejected_limit_total", "Upgrades refused: per-address limit", "rejected_limit"],
];

/** Registers the hub's gauges and counters in `registry` (skips names already registered). */
export function registerHubMetrics(registry: Registry, read: () => HubMetrics): void {
  const gauges: [string, string, "connections" | "closing" | "subscriptions"][] = [
    ["sabiscore_ws_connections", "Open WebSocket connections", "connections"],
    ["sabiscore_ws_closing_connections", "Sockets closed by the hub, peer not done", "closing"],
    ["sabiscore_ws_subscriptions", "Topic subscriptions over all connections", "subscriptions"],
  ];
  for (const [name, help, field] of gauges) {
    if (registry.getSingleMetric(name)) continue;
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read()[field]);
      },
    });
  }
  for (const [name, help, field] of COUNTERS) {
    if (registry.getSingleMetric(name)) continue;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read()[field]);
      },
    });
  }
}
