/**
 * The one HTTP error type of the service. Throw it anywhere; `app.onError` (server/app.ts) turns
 * it into a JSON response `{ error: { code, message, request_id, details? } }`.
 * @module
 */

/** Options of {@link HttpError}. */
export interface HttpErrorOptions {
  /**
   * Machine-readable code sent as `error.code`.
   * @default derived from the status (e.g. 404 -> "not_found")
   */
  code?: string;
  /** Extra structured data sent as `error.details` (e.g. field errors). */
  details?: unknown;
  /** Response headers to add (e.g. `Retry-After`). */
  headers?: Record<string, string>;
  /** The underlying error, kept for logs, never sent to clients. */
  cause?: unknown;
}

const DEFAULT_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "validation_failed",
  429: "rate_limited",
  500: "internal_error",
  502: "bad_gateway",
  503: "service_unavailable",
  504: "timeout",
};

/** Default error code for an HTTP status. */
export function defaultErrorCode(status: number): string {
  return DEFAULT_CODES[status] ?? (status >= 500 ? "internal_error" : "error");
}

/** An error that carries the HTTP status, code, headers and details of its response. */
export class HttpError extends Error {
  /** HTTP status code (400..599). */
  readonly status: number;
  /** Machine-readable error code. */
  readonly code: string;
  /** Structured details sent to the client. */
  readonly details?: unknown;
  /** Headers to set on the response. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    options: {
      code?: string;
      details?: unknown;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpError";
    this.status = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
    this.code = options.code ?? defaultErrorCode(this.status);
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

function didYouMean(suggestions: readonly string[]): string {
  return suggestions.length === 0
    ? ""
    : `; did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?`;
}

/**
 * HttpError 422 `unknown_league`, `details: [{ path, message, league, suggestions }]`: the one
 * answer to a league name no engine or route knows.
 */
export function unknownLeagueError(
  name: string,
  options: { suggestions: string[]; field?: string },
): HttpError {
  const { suggestions, field = "league" } = options;
  return new HttpError(422, `Unknown league "${name}"${didYouMean(suggestions)}`, {
    code: "unknown_league",
    details: [{ path: field, message: "Unknown league", league: name, suggestions }],
  });
}

/**
 * HttpError 422 `unknown_team`, `details: [{ path, message, team, league, suggestions }]`: the
 * one answer to a team name the league's engine does not know.
 */
export function unknownTeamError(
  options: {
    field: "home_team" | "away_team";
    team: string;
    league: string;
    suggestions: string[];
  },
): HttpError {
  const { field, team, league, suggestions } = options;
  const side = field === "home_team" ? "home" : "away";
  return new HttpError(
    422,
    `Unknown ${side} team "${team}" in "${league}"${didYouMean(suggestions)}`,
    {
      code: "unknown_team",
      details: [{ path: field, message: "Unknown team", team, league, suggestions }],
    },
  );
}

/** `error.code` of the 503 a route answers while the fleet's Redis is unreachable. */
export const REDIS_UNAVAILABLE = "redis_unavailable";

/** Seconds a client waits before retrying after {@link redisUnavailableError}. */
const REDIS_RETRY_AFTER_SECONDS = "5";

/**
 * HttpError 503 `redis_unavailable` with `Retry-After`: the answer of a route whose data lives
 * only in the fleet's Redis (odds, match pages) while Redis is unreachable; the error handler
 * gives it for a `RedisUnavailableError`. The outage itself is logged once by the Redis client,
 * so the error handler does not log these per request.
 */
export function redisUnavailableError(cause?: unknown): HttpError {
  return new HttpError(
    503,
    "Live odds are temporarily unavailable (the fleet's shared store is unreachable); retry shortly",
    {
      code: REDIS_UNAVAILABLE,
      headers: { "Retry-After": REDIS_RETRY_AFTER_SECONDS },
      cause,
    },
  );
}
