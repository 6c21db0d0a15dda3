/**
 * Dixon & Coles (1997) model: L-BFGS fit with time decay, expected goals and walk-forward.
 * @module
 */
export { fitDixonColes, type FitDixonColesOptions } from "./fit.ts";
export {
  type DixonColesParams,
  expectedGoals,
  type ExpectedGoalsOptions,
  type PromotedOffsets,
  teamStrength,
} from "./params.ts";
export {
  walkForwardDixonColes,
  type WalkForwardOptions,
  type WalkForwardPrediction,
  type WalkForwardProgress,
} from "./walk_forward.ts";
export { minimize, type MinimizeOptions, type MinimizeResult, type Objective } from "./lbfgs.ts";
