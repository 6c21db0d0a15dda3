/**
 * The long-lived services handed to every request through the context (`c.get("services")`).
 * Each capability adds its own field here.
 * @module
 */
import type { PredictionEngine } from "./domain/prediction.ts";

/** Long-lived services of one app instance. */
export interface Services {
  engine: PredictionEngine;
}
