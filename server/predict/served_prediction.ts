/**
 * A prediction as the prediction service hands it out, over the one encoded answer the cache
 * keeps.
 * @module
 */
import type { Prediction } from "../domain/prediction.ts";
import type { EncodedPrediction } from "./encoded_prediction.ts";

/**
 * A served prediction. The answer is serialised once, when computed, and the cache keeps only
 * that text: a cache hit sends it as it is. `prediction` is parsed from the text on first
 * access for hits.
 */
export interface PredictionResult {
  /** The JSON answer without `score_matrix`. */
  readonly json: string;
  /** The JSON answer with `score_matrix` (`?include=score_matrix`). */
  withScoreMatrix(): string;
  readonly league: string;
  readonly cached: boolean;
  /** The full prediction, `score_matrix` included. */
  readonly prediction: Prediction;
}

/** How a {@link ServedPrediction} is served. */
export interface Serving {
  cached: boolean;
  /** The parsed answer, when it is at hand. */
  prediction?: Prediction;
  /** The kick-off of a request that gave none: sent in place of the entry's. */
  kickoff?: string;
}

/** A {@link PredictionResult} over one encoded (cacheable) answer. */
export class ServedPrediction implements PredictionResult {
  readonly entry: EncodedPrediction;
  readonly cached: boolean;
  readonly #kickoff: string | undefined;
  #prediction: Prediction | undefined;

  constructor(entry: EncodedPrediction, serving: Serving) {
    this.entry = entry;
    this.cached = serving.cached;
    this.#kickoff = serving.kickoff;
    this.#prediction = serving.prediction;
  }
  /** The same answer for a request that gave no kick-off, sent at `kickoff`. */
  at(kickoff: string | undefined): ServedPrediction {
    return new ServedPrediction(this.entry, { cached: this.cached, kickoff });
  }
  get json(): string {
    const json = this.entry.json;
    return this.#kickoff === undefined ? json : this.entry.withKickoff(json, this.#kickoff);
  }
  withScoreMatrix(): string {
    const text = this.entry.withScoreMatrix();
    return this.#kickoff === undefined ? text : this.entry.withKickoff(text, this.#kickoff);
  }
  get league(): string {
    return this.entry.league;
  }
  get prediction(): Prediction {
    return this.#prediction ??= JSON.parse(this.withScoreMatrix()) as Prediction;
  }
}
