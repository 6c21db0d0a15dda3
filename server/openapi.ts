/**
 * The OpenAPI 3.1 document of the public API, generated from the zod schemas in
 * `server/schemas.ts` (zod 4 `z.toJSONSchema`, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 * @module
 */
import { z } from "zod";
import {
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
};

function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

function json(name: string, description: string): JsonObject {
  return { description, content: { "application/json": { schema: ref(name) } } };
}

const errors = {
  "429": json("Error", "Rate limited; see Retry-After and RateLimit headers"),
  "500": json("Error", "Unexpected error; the body carries the request id"),
};

/** Builds the component schemas, replacing zod's `$defs` references with component refs. */
function componentSchemas(): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    const js = z.toJSONSchema(schema, {
      io: name === "PredictionRequest" ? "input" : "output",
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

let cached: JsonObject | undefined;

/** The OpenAPI document (built once). */
export function openApiDocument(): JsonObject {
  if (cached) return cached;
  cached = {
    openapi: "3.1.0",
    info: {
      title: "SabiScore API",
      version: "1.0.0",
      description:
        "Football match predictions (1X2, goals, BTTS, correct scores, Asian handicap) with fair " +
        "odds and value bets. `/api/*` is rate limited per client: see the `RateLimit-Policy` and " +
        "`RateLimit` response headers.",
    },
    servers: [{ url: "/" }],
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
                },
              },
            },
          },
          responses: {
            "200": json("Prediction", "The prediction; `X-Cache` says HIT or MISS"),
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
          },
        },
      },
      "/health/live": {
        get: {
          operationId: "live",
          summary: "Liveness: 200 while the process runs",
          responses: { "200": { description: "Alive" } },
        },
      },
      "/health/ready": {
        get: {
          operationId: "ready",
          summary: "Readiness: 503 until models and KV are usable, or while shutting down",
          responses: {
            "200": json("Readiness", "Ready"),
            "503": json("Readiness", "Not ready; lists each check"),
          },
        },
      },
      "/metrics": {
        get: {
          operationId: "metrics",
          summary: "Prometheus metrics (text exposition format)",
          responses: { "200": { description: "Metrics", content: { "text/plain": {} } } },
        },
      },
    },
    components: { schemas: componentSchemas() },
  };
  return cached;
}
