/**
 * An in-memory {@link PredictionEngine}: league-average Poisson goals scaled by hand-made team
 * strengths (Maher 1982 attack x defence), with the Dixon & Coles (1997) low-score correction.
 * Honest and tiny: the twin of the ONNX engine for unit tests, and a fallback server engine.
 * @module
 */
import { findLeague } from "../domain/leagues.ts";
import type {
  Prediction,
  PredictionEngine,
  PredictionRequest,
  TeamInfo,
} from "../domain/prediction.ts";
import { scoreMatrix } from "../domain/score_matrix.ts";
import { closestNames } from "../domain/closest_names.ts";
import {
  displayMatrix,
  marketForecast,
  matrixProbabilities,
  pricedAnswer,
  showForecast,
} from "../domain/market_answer.ts";
import { booksOf } from "../domain/bookmakers.ts";
import { fitMatrixTo, marketsFromMatrix } from "../domain/markets.ts";
import type { Probs1x2 } from "../domain/types.ts";
import { DEFAULT_VALUE_POLICY, type ValuePolicy } from "../domain/value_policy.ts";
import { HttpError, unknownLeagueError, unknownTeamError } from "../http/errors.ts";

/** A team of the memory engine: multiplicative attack and defence strengths (1 = average). */
export interface MemoryTeam {
  name: string;
  aliases: string[];
  attack: number;
  defence: number;
}

/** A league of the memory engine. */
export interface MemoryLeague {
  /** League-average goals of the home side. */
  homeGoals: number;
  /** League-average goals of the away side. */
  awayGoals: number;
  teams: MemoryTeam[];
}

/** Options of {@link createMemoryEngine}. */
export interface MemoryEngineOptions {
  /** Leagues by canonical key. @default a few Premier League and LaLiga teams */
  leagues?: Record<string, MemoryLeague>;
  /** Artificial latency of each prediction, honouring the abort signal. @default 0 */
  delayMs?: number;
  /** Whether the engine starts ready; when not, predictions throw 503. @default true */
  ready?: boolean;
  /** Model version reported. @default "memory-poisson-1" */
  version?: string;
  /** Dixon-Coles rho. @default -0.05 */
  rho?: number;
  /** The value-bet policy, as the ONNX engine's. @default DEFAULT_VALUE_POLICY */
  policy?: ValuePolicy;
}

/** The memory engine, with switches for tests. */
export interface MemoryEngine extends PredictionEngine {
  /** Makes predictions succeed (true) or fail with 503 model-not-loaded (false). */
  setReady(ready: boolean): void;
  /** Changes the artificial latency. */
  setDelay(ms: number): void;
  /** Predictions computed so far (cache hits do not reach the engine). */
  readonly calls: number;
}

/** Hand-made strengths: roughly the 2010s pecking order, not fitted to any season. */
export const DEFAULT_MEMORY_LEAGUES: Record<string, MemoryLeague> = {
  "england-premier-league": {
    homeGoals: 1.53,
    awayGoals: 1.19,
    teams: [
      { name: "Manchester City", aliases: ["Man City"], attack: 1.55, defence: 0.65 },
      {
        name: "Manchester United",
        aliases: ["Man United", "Man Utd", "Manchester Utd"],
        attack: 1.25,
        defence: 0.8,
      },
      { name: "Liverpool", aliases: ["Liverpool FC"], attack: 1.4, defence: 0.75 },
      { name: "Arsenal", aliases: ["Arsenal FC"], attack: 1.3, defence: 0.85 },
      { name: "Burnley", aliases: ["Burnley FC"], attack: 0.8, defence: 1.1 },
      { name: "Norwich", aliases: ["Norwich City"], attack: 0.7, defence: 1.35 },
    ],
  },
  "spain-laliga": {
    homeGoals: 1.48,
    awayGoals: 1.1,
    teams: [
      { name: "Barcelona", aliases: ["FC Barcelona", "Barca"], attack: 1.6, defence: 0.65 },
      { name: "Real Madrid", aliases: ["Real Madrid CF"], attack: 1.55, defence: 0.7 },
      { name: "Getafe", aliases: ["Getafe CF"], attack: 0.85, defence: 0.95 },
      { name: "Eibar", aliases: ["SD Eibar"], attack: 0.8, defence: 1.15 },
    ],
  },
};

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Creates the in-memory Poisson engine. */
export function createMemoryEngine(options: MemoryEngineOptions = {}): MemoryEngine {
  const leagues = options.leagues ?? DEFAULT_MEMORY_LEAGUES;
  const version = options.version ?? "memory-poisson-1";
  const rho = options.rho ?? -0.05;
  const policy = options.policy ?? DEFAULT_VALUE_POLICY;
  let ready = options.ready ?? true;
  let delayMs = options.delayMs ?? 0;
  let calls = 0;

  const index = new Map<string, Map<string, MemoryTeam>>();
  for (const [key, league] of Object.entries(leagues)) {
    const byName = new Map<string, MemoryTeam>();
    for (const t of league.teams) {
      for (const n of [t.name, ...t.aliases]) byName.set(n.toLowerCase(), t);
    }
    index.set(key, byName);
  }

  function leagueOf(name: string): [string, MemoryLeague] {
    const info = findLeague(name);
    const key = info?.key ?? name.trim().toLowerCase();
    const league = Object.hasOwn(leagues, key) ? leagues[key] : undefined;
    if (!league) {
      const known = Object.keys(leagues).map((k): [string, string] => [k, k]);
      throw unknownLeagueError(name, { suggestions: closestNames(name, known) });
    }
    return [key, league];
  }

  function teamOf(
    key: string,
    league: MemoryLeague,
    field: "home_team" | "away_team",
    name: string,
  ): MemoryTeam {
    const t = index.get(key)!.get(name.trim().toLowerCase());
    if (!t) {
      const labels = league.teams.flatMap((x) =>
        [x.name, ...x.aliases].map((a): [string, string] => [a, x.name])
      );
      throw unknownTeamError({
        field,
        team: name,
        league: key,
        suggestions: closestNames(name, labels),
      });
    }
    return t;
  }

  return {
    leagues: () => Object.keys(leagues),
    teams(league: string): Promise<TeamInfo[]> {
      try {
        const [, l] = leagueOf(league);
        return Promise.resolve(l.teams.map((t) => ({ name: t.name, aliases: [...t.aliases] })));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    async predict(request: PredictionRequest, signal?: AbortSignal): Promise<Prediction> {
      if (!ready) {
        throw new HttpError(503, "Models are not loaded yet", {
          code: "model_not_loaded",
          headers: { "Retry-After": "5" },
        });
      }
      const [key, league] = leagueOf(request.league);
      const home = teamOf(key, league, "home_team", request.home_team);
      const away = teamOf(key, league, "away_team", request.away_team);
      if (home === away) {
        throw new HttpError(422, `Home and away team are both "${home.name}"`, {
          code: "same_team",
          details: [{ path: "away_team", message: "Must differ from home_team" }],
        });
      }
      if (delayMs > 0) await sleep(delayMs, signal);
      signal?.throwIfAborted();
      calls++;
      const lambda = league.homeGoals * home.attack * away.defence;
      const mu = league.awayGoals * away.attack * home.defence;
      const m = scoreMatrix(lambda, mu, rho);
      const n = Math.round(Math.sqrt(m.length));
      const model = marketsFromMatrix(m, n);
      const books = booksOf(request);
      const { probabilities: fair, forecast } = marketForecast(
        matrixProbabilities(model),
        books,
        policy,
      );
      const shown = books.length === 0
        ? m
        : fitMatrixTo(m, n, fair["1x2"] as Probs1x2, fair.totals_2_5?.[0]);
      const derived = books.length === 0 ? model : showForecast(marketsFromMatrix(shown, n), fair);
      return {
        league: key,
        home_team: home.name,
        away_team: away.name,
        ...(request.kickoff ? { kickoff: request.kickoff } : {}),
        ...derived,
        ...pricedAnswer(derived, books, policy, forecast),
        forecast,
        forecasts: {
          results_only: {
            ...model.probabilities,
            over_2_5: model.markets.over_under_2_5.over,
            btts_yes: model.markets.btts.yes,
          },
        },
        score_matrix: displayMatrix(shown, n),
        model: { version, trained_until: "2023-06-30", variant: "memory-poisson" },
      };
    },
    status() {
      const keys = Object.keys(leagues);
      return {
        ready,
        loaded: ready ? keys : [],
        available: keys,
        ...(ready ? {} : { detail: "Models are not loaded" }),
      };
    },
    setReady(r: boolean) {
      ready = r;
    },
    setDelay(ms: number) {
      delayMs = ms;
    },
    get calls() {
      return calls;
    },
  };
}
