/**
 * Match data loading for training and evaluation.
 * @module
 */
export { loadMatches, type LoadOptions, type LoadResult } from "./load.ts";
export { hasSharedData, sharedDataDir } from "./data_dir.ts";
export type { RejectReason } from "./row_values.ts";
