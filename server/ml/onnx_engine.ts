/**
 * The ONNX prediction engine: canonicalises the league and kick-off, then predicts with the
 * league's model from the registry (see `predict_match.ts`).
 * @module
 */
import { HttpError } from "../http/errors.ts";
import { knownLeagueKey } from "../http/known_league.ts";
import type {
  Prediction,
  PredictionEngine,
  PredictionRequest,
  TeamInfo,
} from "../domain/prediction.ts";
import type { ModelCard } from "./model_card.ts";
import { predictWithModel } from "./predict_match.ts";
import type { ModelRegistry } from "./registry.ts";
import { DEFAULT_VALUE_POLICY, type ValuePolicy } from "../domain/value_policy.ts";

/** Options of {@link createOnnxEngine}. */
export interface OnnxEngineOptions {
  /** The value-bet policy (`models/value_policy.json`). @default DEFAULT_VALUE_POLICY */
  policy?: ValuePolicy;
  /** Clock for the default kick-off. @default () => new Date() */
  now?: () => Date;
}

function leagueKeyOf(name: string): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new HttpError(422, "Missing league", {
      code: "validation_failed",
      details: [{ path: "league", message: "Must not be empty" }],
    });
  }
  return knownLeagueKey(name);
}

function parseKickoff(kickoff: string | undefined, now: () => Date): Date {
  if (kickoff === undefined) return now();
  const date = new Date(kickoff);
  if (Number.isNaN(date.getTime())) {
    throw new HttpError(422, `Invalid kickoff "${kickoff}": expected an ISO date-time`, {
      code: "invalid_kickoff",
      details: [{ path: "kickoff", message: "Must be an ISO 8601 date-time" }],
    });
  }
  return date;
}

/**
 * Creates the {@link PredictionEngine} serving the models of `registry` (which must have been
 * initialised). Errors: HttpError 422 for unknown leagues/teams and bad odds or kick-off
 * (with the closest known names in `details[0].suggestions`), 503 when the league has no model.
 */
export function createOnnxEngine(
  registry: ModelRegistry,
  options: OnnxEngineOptions = {},
): PredictionEngine {
  const policy = options.policy ?? DEFAULT_VALUE_POLICY;
  const now = options.now ?? (() => new Date());

  function cardOf(key: string): ModelCard {
    const card = registry.card(key);
    if (!card) {
      throw new HttpError(503, `No model for "${key}"`, { code: "model_unavailable" });
    }
    return card;
  }

  return {
    leagues: () => registry.status().available,
    teams(league: string): Promise<TeamInfo[]> {
      try {
        const card = cardOf(leagueKeyOf(league));
        return Promise.resolve(card.teams.map((t) => ({ name: t.name, aliases: [...t.aliases] })));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async predict(request: PredictionRequest, signal?: AbortSignal): Promise<Prediction> {
      signal?.throwIfAborted();
      const key = leagueKeyOf(request.league);
      cardOf(key);
      const kickoff = parseKickoff(request.kickoff, now);
      return await registry.use(key, (model) => {
        signal?.throwIfAborted();
        return predictWithModel(model, request, { policy, kickoff, signal });
      });
    },
    status() {
      const s = registry.status();
      const detail = s.refused.length > 0
        ? s.refused.map((r) => `${r.league}: ${r.reason}`).join("; ")
        : undefined;
      return {
        ready: s.ready,
        loaded: s.loaded,
        available: s.available,
        ...(detail ? { detail } : {}),
      };
    },
  };
}
