/**
 * The live pipeline: the scrape loops of `scrape_loop.ts` feed the change detection of
 * `change_detection.ts`, and a cleanup loop drops matches that kicked off. Everything stops when
 * the signal aborts.
 * @module
 */
import type { Registry } from "prom-client";
import type { Prediction } from "../domain/prediction.ts";
import type { PredictionService } from "../predict/prediction_service.ts";
import { type EventPublisher, OddsChanges } from "./change_detection.ts";
import { LivePredictor } from "./live_predictor.ts";
import type { OddsStore, StoredMatch } from "./odds_store.ts";
import { abortableSleep } from "./scraper.ts";
import type { ValueBetStore } from "./shared_value_bets.ts";
import { ScrapeLoop, type ScrapeLoopOptions, type ScrapeReport } from "./scrape_loop.ts";
import type { CurrentValueBet } from "./value_bet_tracker.ts";

/** Status of the pipeline for `/health` and the API. */
export interface PipelineStatus {
  running: boolean;
  sources: {
    name: string;
    url: string;
    parser: string;
    interval_ms: number;
    last_report: ScrapeReport | null;
  }[];
}

/** Options of {@link createLivePipeline}; the scrape loop's options apply to every source. */
export interface LivePipelineOptions extends Omit<ScrapeLoopOptions, "onMatch" | "log"> {
  store: OddsStore;
  /** Predicts changed matches (the REST prediction service). */
  predictions: PredictionService;
  /** Receives `odds` and `value_bet` events. @default none: changes are only stored */
  broker?: EventPublisher;
  /** Shared open value bets (fleet mode). @default this instance's memory */
  valueBets?: ValueBetStore;
  /** Registry of the shared value bets' conflict counter (`/metrics`). @default none */
  registry?: Registry;
  /** Start the loops at once; false leaves scraping to `scrapeOnce`. @default true */
  start?: boolean;
  /** Time between two store cleanups. @default 600000 */
  cleanupEveryMs?: number;
  /** Logs a source failing or recovering, and failed predictions. @default console.warn */
  log?: (message: string) => void;
}

/** A running pipeline. */
export class LivePipeline {
  #signal: AbortSignal;
  #now: () => Date;
  #running: boolean;
  #scrapes: ScrapeLoop;
  #changes: OddsChanges;
  /** Settles when every loop has stopped after the signal aborted. */
  readonly done: Promise<void>;

  constructor(options: LivePipelineOptions) {
    const { signal } = options;
    const log = options.log ?? ((m: string) => console.warn(m));
    this.#signal = signal;
    this.#now = options.now ?? (() => new Date());
    this.#running = options.start !== false;
    const predictor = new LivePredictor({ predictions: options.predictions, signal, log });
    this.#changes = new OddsChanges({
      store: options.store,
      predictor,
      broker: options.broker,
      valueBets: options.valueBets,
      registry: options.registry,
      log,
    });
    const scrapes = this.#scrapes = new ScrapeLoop({
      ...options,
      onMatch: (m, at) => this.#changes.apply(m, at),
      log,
    });
    const loops = this.#running
      ? [
        scrapes.run(),
        this.#cleanupLoop(options.cleanupEveryMs ?? 600_000, options.sleep, log),
      ]
      : [];
    this.done = (async () => {
      if (!signal.aborted) {
        await new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => resolve(), { once: true })
        );
      }
      await Promise.allSettled(loops);
      scrapes.close();
    })();
  }

  /** Scrapes one source now. Never throws: failures are in the report. */
  scrapeOnce(source: string): Promise<ScrapeReport> {
    return this.#scrapes.scrapeOnce(source);
  }

  /** The prediction for a stored match at its latest prices (cached per price update). */
  predict(match: StoredMatch): Promise<Prediction | undefined> {
    return this.#changes.predict(match);
  }

  /** Value bets currently open, per match and source. */
  valueBets(): Promise<CurrentValueBet[]> {
    return this.#changes.valueBets(this.#now());
  }

  status(): PipelineStatus {
    return {
      running: this.#running && !this.#signal.aborted,
      sources: this.#scrapes.sources.map((s) => ({
        name: s.name,
        url: s.url,
        parser: s.parser,
        interval_ms: s.interval_ms,
        last_report: this.#scrapes.lastReport(s.name),
      })),
    };
  }

  async #cleanupLoop(
    everyMs: number,
    sleep = abortableSleep,
    log: (message: string) => void,
  ): Promise<void> {
    while (!this.#signal.aborted) {
      try {
        await sleep(everyMs, this.#signal);
      } catch {
        break;
      }
      try {
        await this.#changes.cleanup(this.#now);
      } catch (error) {
        log(`Odds store cleanup failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Creates the pipeline and, unless `start: false`, starts one loop per source. */
export function createLivePipeline(options: LivePipelineOptions): LivePipeline {
  return new LivePipeline(options);
}
