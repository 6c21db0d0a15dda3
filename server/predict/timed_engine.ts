/**
 * The engine call with a deadline: a prediction taking longer than the timeout is aborted
 * (through its `AbortSignal`) and answered with 504. All calls share one timer queue
 * (`deadline_queue.ts`).
 * @module
 */
import type { Prediction, PredictionEngine, PredictionRequest } from "../domain/prediction.ts";
import { HttpError } from "../http/errors.ts";
import { DeadlineQueue } from "./deadline_queue.ts";

/** Calls an engine, aborting calls that outlive `timeoutMs`. */
export class TimedEngine {
  readonly #engine: PredictionEngine;
  readonly #timeoutMs: number;
  readonly #deadlines: DeadlineQueue;

  constructor(engine: PredictionEngine, timeoutMs: number) {
    this.#engine = engine;
    this.#timeoutMs = timeoutMs;
    this.#deadlines = new DeadlineQueue(timeoutMs);
  }

  /** The engine's prediction; rejects with HttpError 504 (`prediction_timeout`) when late. */
  predict(req: PredictionRequest): Promise<Prediction> {
    const ac = new AbortController();
    return new Promise<Prediction>((resolve, reject) => {
      const deadline = this.#deadlines.add(() => {
        const err = new HttpError(504, `Prediction took longer than ${this.#timeoutMs} ms`, {
          code: "prediction_timeout",
        });
        ac.abort(err);
        reject(err);
      });
      const settle = (p: Prediction) => {
        deadline.cancel();
        resolve(p);
      };
      const fail = (e: unknown) => {
        deadline.cancel();
        reject(e);
      };
      try {
        this.#engine.predict(req, ac.signal).then(settle, fail);
      } catch (e) {
        fail(e);
      }
    });
  }
}
