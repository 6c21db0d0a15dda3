/**
 * The long-lived services handed to every request through the context (`c.get("services")`).
 * Each capability adds its own field here.
 * @module
 */
import type { Config } from "../ops/config.ts";
import type { PredictionEngine } from "../domain/prediction.ts";
import type { Health } from "../ops/health.ts";
import type { Logger } from "../ops/logger.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { PredictionService } from "../predict/prediction_service.ts";
import type { RateLimitStore } from "../rate_limit/store.ts";
import type { LiveServices } from "../live/start_live.ts";
import type { Hub } from "../live/hub.ts";
import type { AlertEngine } from "../live/alerts.ts";

/** Long-lived services of one app instance. */
export interface Services {
  /** Parsed configuration (`server/config.ts`). */
  config: Config;
  /** The Deno KV database (rate-limit counters, health probe, other stores). */
  kv: Deno.Kv;
  /** The prediction engine (ONNX models, or the memory twin in tests). */
  engine: PredictionEngine;
  /** Cached, time-limited predictions over `engine` (`server/predict/prediction_service.ts`). */
  predictions: PredictionService;
  /** Rate-limit counters; null when rate limiting is off. */
  rateLimitStore: RateLimitStore | null;
  /** Prometheus metrics (`server/metrics.ts`). */
  metrics: Metrics;
  /** JSON logger (`server/logger.ts`). */
  logger: Logger;
  /** Liveness, readiness and component health (`server/health.ts`). */
  health: Health;
  /** Clock in epoch milliseconds (rate-limit windows); injected in tests. */
  now: () => number;
  /** Live odds: store, pipeline and source metrics (`server/live/start_live.ts`), when running. */
  live?: LiveServices;
  /** The WebSocket hub behind `/ws` (`server/live/hub.ts`), when running. */
  hub?: Hub;
  /** Value-bet alerts (`server/live/alerts.ts`), when running. */
  alerts?: AlertEngine;
}
