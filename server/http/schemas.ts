/**
 * zod schemas of the public API: request validation and the source of the OpenAPI document.
 * Built once at module load (never per request).
 * @module
 */
import { z } from "zod";

const price = z
  .number()
  .gt(1, "Decimal odds must be greater than 1")
  .lte(10_000, "Decimal odds must be at most 10000")
  .describe("Decimal odds");

const teamName = z
  .string()
  .trim()
  .min(1, "Must not be empty")
  .max(100, "Must be at most 100 characters");

/**
 * Kick-offs a prediction accepts: the models' team ratings mean nothing for a match a century
 * away, and such a date is a client's mistake (a default value, swapped fields).
 */
const KICKOFF_RANGE = { from: Date.UTC(2000, 0, 1), until: Date.UTC(2100, 0, 1) };

/** The prices of one book: 1X2 required, goals markets optional. */
const BOOK_PRICES = {
  home: price,
  draw: price,
  away: price,
  over_2_5: price.optional(),
  under_2_5: price.optional(),
  btts_yes: price.optional(),
  btts_no: price.optional(),
};

/** Odds a client may attach to a prediction request. */
export const RequestOddsSchema = z
  .strictObject(BOOK_PRICES)
  .meta({
    id: "RequestOdds",
    description: "Offered decimal odds; value bets are computed when given",
  });

/** One named bookmaker's prices in a prediction request. */
export const BookmakerPricesSchema = z
  .strictObject({
    name: z.string().trim().min(1, "Must not be empty").max(64, "Must be at most 64 characters")
      .describe('The bookmaker, e.g. "Pinnacle" (its price is the fair reference, any case)'),
    ...BOOK_PRICES,
  })
  .meta({ id: "BookmakerPrices", description: "One bookmaker's decimal prices" });

const MAX_BOOKMAKERS = 40;

/** Body of `POST /api/v1/predictions`. */
export const PredictionRequestSchema = z
  .strictObject({
    league: z.string().trim().min(1, "Must not be empty").max(64, "Must be at most 64 characters")
      .describe('League key or alias, e.g. "england-premier-league" or "EPL"'),
    home_team: teamName.describe('Home team name or alias, e.g. "Man United"'),
    away_team: teamName.describe("Away team name or alias"),
    kickoff: z.iso.datetime({ offset: true, message: "Must be an ISO 8601 date-time" })
      .refine((v) => {
        const t = Date.parse(v);
        return t >= KICKOFF_RANGE.from && t < KICKOFF_RANGE.until;
      }, "Must be from 2000-01-01 to 2099-12-31")
      .optional()
      .describe("Kick-off time, from 2000 to 2099; defaults to the time of the request"),
    odds: RequestOddsSchema.optional(),
    bookmakers: z.array(BookmakerPricesSchema)
      .min(1, "Must list at least one bookmaker, or be left out")
      .max(MAX_BOOKMAKERS, `Must list at most ${MAX_BOOKMAKERS} bookmakers`)
      .superRefine((books, ctx) => {
        const seen = new Set<string>();
        books.forEach((b, i) => {
          const key = b.name.toLowerCase();
          if (seen.has(key)) {
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: `Bookmaker "${b.name}" is listed twice: send each book once`,
            });
          }
          seen.add(key);
        });
      })
      .optional()
      .describe(
        "Prices of several bookmakers: the fair price comes from Pinnacle where listed, else " +
          "from their consensus; value bets take the best price. `odds` counts as one more book",
      ),
  })
  .meta({ id: "PredictionRequest" });

const probability = z.number().min(0).max(1);

const ValueBetSchema = z
  .object({
    market: z.string().describe("1x2, totals_2_5 or btts"),
    selection: z.string().describe("home, draw, away, over, under, yes or no"),
    odds: z.number().describe("The best price across the books"),
    bookmaker: z.string().describe('The book offering it; "odds" for the unnamed `odds` book'),
    books: z.number().int().describe("Books that priced the whole market"),
    forecast: z.string().describe("The forecast `probability` comes from (`forecast.name`)"),
    probability: probability.describe(
      "The probability the answer shows for this selection in that forecast",
    ),
    fair_odds: z.number().describe("1 / probability"),
    edge: z.number().describe("probability x odds - 1"),
    kelly_fraction: z.number().describe(
      "Fractional Kelly stake on `odds` as a share of bankroll, capped",
    ),
    expected_clv: z.number().nullable().describe(
      "Mean closing line value the policy's backtest measured for this edge; null without one",
    ),
    expected_clv_ci95: z.tuple([z.number(), z.number()]).nullable(),
  })
  .meta({ id: "ValueBet" });

const ForecastSchema = z
  .object({
    name: z.enum(["model", "fair"]).describe(
      "model: the model alone (no prices); fair: the market's fair price per priced market " +
        "blended with the results-only model at model_weight",
    ),
    model_weight: z.number().min(0).max(1),
    margin_removal: z.string().nullable().describe("shin, power or normalise"),
    markets: z.array(z.object({
      market: z.string(),
      source: z.enum(["pinnacle", "consensus"]),
      books: z.number().int(),
      market_probabilities: z.array(probability).describe("The market's fair probabilities"),
    })),
  })
  .meta({ id: "Forecast" });

const BestPriceSchema = z
  .object({
    market: z.string(),
    selection: z.string(),
    odds: z.number(),
    bookmaker: z.string(),
    books: z.number().int(),
    probability,
    edge: z.number().describe("probability x odds - 1"),
  })
  .meta({ id: "BestPrice" });

/** A prediction as returned by the API. */
export const PredictionSchema = z
  .object({
    league: z.string(),
    home_team: z.string(),
    away_team: z.string(),
    kickoff: z.string().optional(),
    probabilities: z.object({ home_win: probability, draw: probability, away_win: probability }),
    expected_goals: z.object({ home: z.number(), away: z.number() }),
    markets: z.object({
      over_under_2_5: z.object({ over: probability, under: probability }),
      totals: z.array(z.object({ line: z.number(), over: probability, under: probability })),
      btts: z.object({ yes: probability, no: probability }),
      correct_scores: z.array(z.object({ score: z.string(), probability })),
      asian_handicap: z.array(
        z.object({
          line: z.number(),
          home_win: probability,
          push: probability,
          away_win: probability,
        }),
      ),
    }),
    fair_odds: z.object({
      home: z.number(),
      draw: z.number(),
      away: z.number(),
      over_2_5: z.number(),
      under_2_5: z.number(),
      btts_yes: z.number(),
      btts_no: z.number(),
    }),
    forecast: ForecastSchema.describe(
      "What probabilities, markets, fair_odds and value_bets are the forecast of",
    ),
    forecasts: z.object({
      results_only: z.object({
        home_win: probability,
        draw: probability,
        away_win: probability,
        over_2_5: probability,
        btts_yes: probability,
      }).describe("The model without any price"),
      blend: z.object({ home_win: probability, draw: probability, away_win: probability })
        .optional().describe("The model that also sees the books' average 1X2 price"),
    }),
    best_prices: z.array(BestPriceSchema).describe("Best price of every priced selection"),
    value_policy: z.object({
      min_edge: z.number().describe("Smallest edge of a value bet"),
      close_edge: z.number().describe("An alert closes when its edge falls below this"),
      kelly_fraction: z.number(),
      kelly_cap: z.number(),
      chosen: z.boolean().describe("Whether a backtest chose the policy (false: the default)"),
    }),
    value_bets: z.array(ValueBetSchema),
    score_matrix: z.array(z.array(probability)).optional().describe(
      "P(home = i, away = j), rows = home goals; only with `?include=score_matrix`",
    ),
    model: z.object({ version: z.string(), trained_until: z.string(), variant: z.string() }),
  })
  .meta({ id: "Prediction" });

/** `GET /api/v1/leagues`. */
export const LeaguesResponseSchema = z
  .object({
    leagues: z.array(z.object({
      key: z.string(),
      name: z.string(),
      country: z.string(),
      aliases: z.array(z.string()),
      available: z.boolean().describe("Whether a model serves this league"),
    })),
  })
  .meta({ id: "LeaguesResponse" });

/** `GET /api/v1/leagues/{league}/teams`. */
export const TeamsResponseSchema = z
  .object({
    league: z.string(),
    teams: z.array(z.object({ name: z.string(), aliases: z.array(z.string()) })),
  })
  .meta({ id: "TeamsResponse" });

/** Every error response. */
export const ErrorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().describe("Machine-readable, e.g. validation_failed, rate_limited"),
      message: z.string(),
      request_id: z.string(),
      details: z.array(
        z.object({
          path: z.string().describe('The field, dotted (`odds.home`), or "(body)" / "(query)"'),
          message: z.string(),
          league: z.string().optional().describe("unknown_league, unknown_team: the league"),
          team: z.string().optional().describe("unknown_team: the name sent"),
          suggestions: z.array(z.string()).optional().describe(
            "unknown_league, unknown_team: the closest known names, closest first",
          ),
        }).loose(),
      ).optional().describe("Field errors: one per refused field"),
      retry_after_seconds: z.number().optional(),
    }),
  })
  .meta({ id: "Error" });

const CheckSchema = z.object({
  status: z.enum(["ok", "degraded", "down"]),
  detail: z.string().optional(),
}).loose();

/** `GET /health`. */
export const HealthResponseSchema = z
  .object({
    status: z.enum(["ok", "degraded", "down"]),
    uptime_seconds: z.number(),
    components: z.record(z.string(), CheckSchema),
  })
  .meta({ id: "Health" });

/** `GET /health/ready`. */
export const ReadyResponseSchema = z
  .object({
    ready: z.boolean(),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
  })
  .meta({ id: "Readiness" });

/** A field error of a 422 response. */
export interface FieldError {
  path: string;
  message: string;
}

/** A client error report, `POST /api/v1/client-errors` (see `islands/_client/report_error.ts`). */
export const ClientErrorSchema = z.strictObject({
  message: z.string().min(1).max(1000),
  kind: z.enum(["error", "unhandledrejection", "boundary", "fetch"]),
  stack: z.string().max(4000).optional(),
  url: z.string().max(500),
  source: z.string().max(500).optional(),
  line: z.number().int().nonnegative().optional(),
  column: z.number().int().nonnegative().optional(),
});

/**
 * Field errors of a failed zod parse, with dotted paths (`odds.home`; `(body)`, or `(query)`
 * for a query string, for the root).
 */
export function fieldErrors(error: z.ZodError, root = "(body)"): FieldError[] {
  const pathOf = (path: PropertyKey[]) => path.length ? path.map(String).join(".") : root;
  // An unknown field is named by its own path, as a wrong one is.
  return error.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((key) => ({ path: pathOf([...i.path, key]), message: "Unknown field" }))
      : [{ path: pathOf(i.path), message: i.message }]
  ).slice(0, 20);
}
