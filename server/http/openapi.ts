/**
 * The OpenAPI 3.1 document of the public API, generated from the zod schemas in
 * `server/schemas.ts` (zod 4 `z.toJSONSchema`, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 * @module
 */
import { z } from "zod";
import { AlertsQuerySchema, UpcomingQuerySchema, ValueBetsQuerySchema } from "../live/queries.ts";
import {
  ClientErrorSchema,
  ErrorResponseSchema,
  HealthResponseSchema,
  LeaguesResponseSchema,
  PredictionRequestSchema,
  PredictionSchema,
  ReadyResponseSchema,
  TeamsResponseSchema,
} from "./schemas.ts";

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

const SCHEMAS: Record<string, z.ZodType> = {
  PredictionRequest: PredictionRequestSchema,
  Prediction: PredictionSchema,
  LeaguesResponse: LeaguesResponseSchema,
  TeamsResponse: TeamsResponseSchema,
  Error: ErrorResponseSchema,
  Health: HealthResponseSchema,
  Readiness: ReadyResponseSchema,
  ClientError: ClientErrorSchema,
};

/** Schemas validated as they come in (requests), not as they go out. */
const INPUT_SCHEMAS = new Set(["PredictionRequest", "ClientError"]);

function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

function json(name: string, description: string): JsonObject {
  return { description, content: { "application/json": { schema: ref(name) } } };
}

/** Routes outside `/api/` refuse only what Deno's HTTP layer does, before the app, in text. */
const MALFORMED = { "4XX": { description: "Malformed HTTP request (refused before the app)" } };

const errors = {
  "429": json("Error", "Rate limited; see Retry-After and RateLimit headers"),
  "500": json("Error", "Unexpected error; the body carries the request id"),
};

/** Builds the component schemas, replacing zod's `$defs` references with component refs. */
function componentSchemas(): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    const js = z.toJSONSchema(schema, {
      io: INPUT_SCHEMAS.has(name) ? "input" : "output",
      unrepresentable: "any",
    }) as JsonObject;
    const defs = (js.$defs ?? {}) as Record<string, JsonObject>;
    delete js.$defs;
    delete js.$schema;
    delete js.id;
    for (const [defName, def] of Object.entries(defs)) {
      delete def.id;
      out[defName] ??= def;
    }
    // A schema with a meta id comes back as a `$ref` to its own definition.
    out[name] = defs[name] ?? js;
  }
  return JSON.parse(JSON.stringify(out).replaceAll('"#/$defs/', '"#/components/schemas/'));
}

/**
 * What numeric query parameters hold once parsed: the zod schemas read them as strings (as they
 * arrive) and check the range in a transform JSON Schema cannot show.
 */
const TYPED_QUERY: Record<string, Record<string, JsonObject>> = {
  upcoming: { limit: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
  valueBets: {
    min_edge: { type: "number", minimum: -1, maximum: 100, example: 0.05 },
    min_odds: { type: "number", minimum: 1, maximum: 1000 },
    max_odds: { type: "number", minimum: 1, maximum: 1000 },
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 200 },
  },
  alerts: {
    since: {
      anyOf: [
        { type: "integer", minimum: 0 },
        { type: "string", format: "date" },
        { type: "string", format: "date-time" },
      ],
    },
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
  },
};

/** The query parameters of a zod object schema, with descriptions and `typed` schemas. */
function queryParameters(schema: z.ZodType, typed: Record<string, JsonObject> = {}): JsonObject[] {
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonObject;
  const props = (js.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: "query",
      required: required.has(name),
      ...(description ? { description } : {}),
      schema: typed[name] ?? rest,
    };
  });
}

/** The `?include=` parameter of the answers that carry predictions. */
const INCLUDE_PARAMETER: JsonObject = {
  name: "include",
  in: "query",
  required: false,
  description: "Optional parts of the answer, comma-separated: `score_matrix`",
  schema: { type: "string", enum: ["score_matrix"] },
};

/** A JSON answer described in words (its shape is a TypeScript type, not a zod schema). */
function described(description: string): JsonObject {
  return { description, content: { "application/json": { schema: { type: "object" } } } };
}

const liveErrors = {
  "422": json("Error", "Invalid query parameter (each listed)"),
  "503": json("Error", "Live odds are not running"),
  ...errors,
};

/** The live odds, value-bet and alert endpoints (`README.md`, "Live odds"). */
function livePaths(): JsonObject {
  return {
    "/api/v1/matches/upcoming": {
      get: {
        operationId: "listUpcomingMatches",
        summary: "Upcoming matches with current and opening odds, prediction and value bets",
        description: "Kick-off order. `prediction` omits `score_matrix` unless asked for with " +
          "`?include=score_matrix`. `source` is `demo` for the built-in demo bookmaker.",
        parameters: [
          ...queryParameters(UpcomingQuerySchema, TYPED_QUERY.upcoming),
          INCLUDE_PARAMETER,
        ],
        responses: {
          "200": described(
            "`{matches: [{id, league, home_team, away_team, kickoff, source, odds, opening_odds, " +
              "updated_at, bookmakers: [{name, home, draw, away, over_2_5?, under_2_5?, " +
              "btts_yes?, btts_no?, updated_at}], prediction, value_bets}], count, demo}`",
          ),
          ...liveErrors,
        },
      },
    },
    "/api/v1/matches/{id}": {
      get: {
        operationId: "getMatch",
        summary: "One match: latest and opening odds per source, price history, prediction",
        parameters: [{
          name: "id",
          in: "path",
          required: true,
          schema: { type: "string", maxLength: 300 },
          example: "england-premier-league:2026-12-07:arsenal:chelsea",
          description: "Match id from `/api/v1/matches/upcoming` (URL-encoded)",
        }, INCLUDE_PARAMETER],
        responses: {
          "200": described("`{match, sources: [...], history: [{at, source, odds}]}`"),
          "404": json("Error", "Unknown match"),
          ...liveErrors,
        },
      },
    },
    "/api/v1/value-bets": {
      get: {
        operationId: "listValueBets",
        summary: "Value bets open now on upcoming matches, best edge first",
        parameters: queryParameters(ValueBetsQuerySchema, TYPED_QUERY.valueBets),
        responses: {
          "200": described(
            "`{value_bets: [{match_id, league, home_team, away_team, kickoff, market, " +
              "selection, odds, probability, edge, kelly_fraction, source}], count}`",
          ),
          ...liveErrors,
        },
      },
    },
    "/api/v1/alerts": {
      get: {
        operationId: "listAlerts",
        summary: "The stored value-bet alert log in id order (poll with `next_since`)",
        parameters: queryParameters(AlertsQuerySchema, TYPED_QUERY.alerts),
        responses: {
          "200": described("`{alerts: [...], next_since, count, filter}`"),
          "422": json("Error", "Invalid query parameter (each listed)"),
          "503": json("Error", "Value-bet alerts are not running"),
          ...errors,
        },
      },
    },
    "/api/v1/alerts/performance": {
      get: {
        operationId: "alertPerformance",
        summary: "Count, mean closing line value and ROI of the settled value-bet alerts",
        responses: {
          "200": described("`{performance, filter}`"),
          "503": json("Error", "Value-bet alerts are not running"),
          ...errors,
        },
      },
    },
    "/api/v1/client-errors": {
      post: {
        operationId: "reportClientError",
        summary: "Errors reported by the web app's own pages (logged)",
        requestBody: {
          required: true,
          content: { "application/json": { schema: ref("ClientError") } },
        },
        responses: {
          "204": { description: "Logged" },
          "400": json("Error", "Malformed JSON"),
          "422": json("Error", "Invalid report (each field listed)"),
          ...errors,
        },
      },
    },
    "/ws": {
      get: {
        operationId: "liveSocket",
        summary: "WebSocket feed of odds, predictions and value-bet alerts",
        description: "Upgrade with `Upgrade: websocket`. Messages are JSON: send `subscribe` " +
          "(`topics`: `matches`, `league:<key>`, `match:<id>`, `value-bets`; `since`: the last " +
          "`event_id` seen, to replay what was missed), `unsubscribe` or `ping`; receive " +
          "`welcome`, `odds`, `value_bet`, `subscribed`, `error`, `pong` and `batch`.",
        responses: {
          "101": { description: "Switching to the WebSocket protocol" },
          "403": json("Error", "Origin not allowed (`CORS_ORIGINS`)"),
          "426": json("Error", "Not a WebSocket upgrade request"),
          "429": json("Error", "Too many connections from this address"),
          "503": json("Error", "Live odds are not running"),
        },
      },
    },
  };
}

let cached: JsonObject | undefined;

/** The OpenAPI document (built once). */
export function openApiDocument(): JsonObject {
  if (cached) return cached;
  cached = {
    openapi: "3.1.0",
    info: {
      title: "SabiScore API",
      version: "1.0.0",
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
      description:
        "Football match predictions (1X2, goals, BTTS, correct scores, Asian handicap) with fair " +
        "odds and value bets. `/api/*` is rate limited per client: see the `RateLimit-Policy` and " +
        "`RateLimit` response headers.",
    },
    servers: [{ url: "/" }],
    // Public: no credentials; clients are told apart by address for rate limiting only.
    security: [],
    paths: {
      "/api/v1/predictions": {
        post: {
          operationId: "createPrediction",
          summary: "Predict one match",
          description:
            "Team and league names may be aliases. Results are cached per model version, league, " +
            "teams, kick-off and odds. The 11 x 11 `score_matrix` is left out unless asked for " +
            "with `?include=score_matrix`.",
          parameters: [{
            name: "include",
            in: "query",
            required: false,
            description: "Optional parts of the answer, comma-separated: `score_matrix`",
            schema: { type: "string", enum: ["score_matrix"] },
          }],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: ref("PredictionRequest"),
                example: {
                  league: "england-premier-league",
                  home_team: "Man United",
                  away_team: "Liverpool",
                  odds: { home: 2.6, draw: 3.4, away: 2.7 },
                  bookmakers: [
                    { name: "Pinnacle", home: 2.55, draw: 3.5, away: 2.85 },
                    {
                      name: "bet365",
                      home: 2.5,
                      draw: 3.4,
                      away: 2.9,
                      over_2_5: 1.8,
                      under_2_5: 2,
                    },
                  ],
                },
              },
            },
          },
          responses: {
            "200": json(
              "Prediction",
              "The prediction; `X-Cache` says HIT or MISS (a request enters the cache at its " +
                "second miss, unless `CACHE_ADMISSION=all`)",
            ),
            "400": json("Error", "Malformed JSON"),
            "413": json("Error", "Body larger than the limit"),
            "415": json("Error", "Body is not JSON"),
            "422": json(
              "Error",
              "Invalid input, unknown team or league (with closest names), unknown `include`",
            ),
            ...errors,
            "503": json("Error", "Models not loaded or memory pressure; see Retry-After"),
            "504": json("Error", "The prediction took longer than the timeout"),
          },
        },
      },
      "/api/v1/leagues": {
        get: {
          operationId: "listLeagues",
          summary: "List leagues and whether a model serves them",
          responses: { "200": json("LeaguesResponse", "The leagues"), ...errors },
        },
      },
      "/api/v1/leagues/{league}/teams": {
        get: {
          operationId: "listTeams",
          summary: "List the teams of a league with their accepted aliases",
          parameters: [{
            name: "league",
            in: "path",
            required: true,
            schema: { type: "string" },
            example: "epl",
            description: "League key or alias",
          }],
          responses: {
            "200": json("TeamsResponse", "The teams"),
            "404": json("Error", "Unknown league"),
            "503": json("Error", "Models not loaded"),
            ...errors,
          },
        },
      },
      "/health": {
        get: {
          operationId: "health",
          summary: "Component health: database, cache, models, resources, uptime",
          responses: {
            "200": json("Health", "Healthy or degraded"),
            "503": json("Health", "Down"),
            ...MALFORMED,
          },
        },
      },
      "/health/live": {
        get: {
          operationId: "live",
          summary: "Liveness: 200 while the process runs",
          responses: { "200": { description: "Alive" }, ...MALFORMED },
        },
      },
      "/health/ready": {
        get: {
          operationId: "ready",
          summary: "Readiness: 503 until models and KV are usable, or while shutting down",
          responses: {
            "200": json("Readiness", "Ready"),
            "503": json("Readiness", "Not ready; lists each check"),
            ...MALFORMED,
          },
        },
      },
      ...livePaths(),
      "/metrics": {
        get: {
          operationId: "metrics",
          summary: "Prometheus metrics (text exposition format)",
          responses: {
            "200": { description: "Metrics", content: { "text/plain": {} } },
            ...MALFORMED,
          },
        },
      },
    },
    components: { schemas: componentSchemas() },
  };
  return cached;
}
