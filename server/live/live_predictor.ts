/**
 * Predictions of the live pipeline: one per match over every source's prices, remade only when
 * one of its quotes changes, and a failure logged once per match. They go through the prediction
 * service, as REST predictions do, so the timeout, the memory guard and the prediction metrics
 * apply to them.
 * @module
 */
import type { Prediction, PredictionRequest } from "../domain/prediction.ts";
import type { PredictionService } from "../predict/prediction_service.ts";
import type { StoredMatch } from "./odds_store.ts";
import { matchBookmakers, pickQuote } from "./upcoming_view.ts";

export { matchBookmakers, type NamedBook } from "./upcoming_view.ts";

/** Options of {@link LivePredictor}. */
export interface LivePredictorOptions {
  predictions: PredictionService;
  /** Silences failures once the pipeline stops. */
  signal: AbortSignal;
  /** Logs a match the models cannot predict (once per match). */
  log: (message: string) => void;
}

interface LatestPrediction {
  /** The quotes the prediction was made for. */
  key: string;
  kickoff: string;
  prediction: Prediction;
}

/** The latest prediction per match, cached per price update. */
export class LivePredictor {
  #options: LivePredictorOptions;
  #latest = new Map<string, LatestPrediction>();
  #unpredictable = new Set<string>();

  constructor(options: LivePredictorOptions) {
    this.#options = options;
  }

  /**
   * The prediction at the match's latest prices of every source: the request carries each
   * source's quote as a named book, so the fair price and the best price see the whole market.
   * Cached until any of the quotes changes.
   */
  async predict(match: StoredMatch): Promise<Prediction | undefined> {
    const latest = pickQuote(match);
    if (!latest) return undefined;
    const key = match.quotes.map((q) => `${q.source}@${q.updated_at}@${JSON.stringify(q.odds)}`)
      .join("|");
    const cached = this.#latest.get(match.id);
    if (cached?.key === key) return cached.prediction;
    const { predictions, signal, log } = this.#options;
    try {
      // Every source is a named book; sending the latest quote as `odds` too would count that
      // book twice in the consensus.
      const request: PredictionRequest = {
        league: match.league,
        home_team: match.home_team,
        away_team: match.away_team,
        kickoff: match.kickoff,
        bookmakers: matchBookmakers(match),
      };
      const { prediction } = await predictions.predict(request);
      this.#latest.set(match.id, { key, kickoff: match.kickoff, prediction });
      return prediction;
    } catch (error) {
      // Once per match: a league or team the models do not know fails on every price move.
      if (!signal.aborted && !this.#unpredictable.has(match.id)) {
        this.#unpredictable.add(match.id);
        log(`No prediction for "${match.id}": ${(error as Error).message}`);
      }
      return undefined;
    }
  }

  /** Forgets predictions of matches that kicked off before `cutoff` (ISO date-time). */
  prune(cutoff: string): void {
    for (const [id, p] of this.#latest) if (p.kickoff < cutoff) this.#latest.delete(id);
  }
}
