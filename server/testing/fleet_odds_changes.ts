/**
 * The change detection of one fleet instance for tests and benchmarks: the Redis odds and
 * value-bet stores, fenced as a leader of the sources given, and predictions of the in-memory
 * engine.
 * @module
 */
import type { FleetRedis } from "../fleet/redis_client.ts";
import { createRedisOddsStore } from "../fleet/redis_odds_store.ts";
import { createRedisValueBets } from "../fleet/redis_value_bets.ts";
import type { LiveEvent } from "../live/broker.ts";
import { OddsChanges } from "../live/change_detection.ts";
import { LivePredictor } from "../live/live_predictor.ts";
import { createMetrics } from "../ops/metrics.ts";
import { createMemoryEngine } from "../predict/memory_engine.ts";
import { createPredictionService } from "../predict/prediction_service.ts";

/** Options of {@link fleetOddsChanges}. */
export interface FleetOddsChangesOptions {
  /** The sources this instance leads, each with fencing token 1 (`fence:<source>` must hold it). */
  leads: string[];
  /** Receives every published event. */
  publish: (event: LiveEvent) => void;
  /** Wraps the value-bet store (to hold or count its calls). @default none */
  wrapValueBets?: <S extends object>(store: S) => S;
}

/** An instance's `OddsChanges` over Redis; see the module documentation. */
export function fleetOddsChanges(redis: FleetRedis, options: FleetOddsChangesOptions): OddsChanges {
  const fenceOf = (s: string) => (options.leads.includes(s) ? 1 : null);
  const valueBets = createRedisValueBets(redis, { fenceOf });
  return new OddsChanges({
    store: createRedisOddsStore(redis, { fenceOf }),
    predictor: new LivePredictor({
      predictions: createPredictionService(createMemoryEngine(), {
        metrics: createMetrics({ defaultMetrics: false }),
      }),
      signal: new AbortController().signal,
      log: () => {},
    }),
    broker: { publish: (e) => Promise.resolve(options.publish(e)) },
    valueBets: options.wrapValueBets ? options.wrapValueBets(valueBets) : valueBets,
    log: () => {},
  });
}
