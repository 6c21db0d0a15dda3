/**
 * Hono environment of the SabiScore app: typed request state shared by middleware and routes.
 * @module
 */
import type { Services } from "../services/services.ts";
import type { HttpError } from "./errors.ts";

/** Renders a failed page request as an HTML document (set by the web layer for page routes). */
export type ErrorPage = (
  error: HttpError,
  requestId: string,
  headers: Record<string, string>,
) => Response;

/** Variables set on every request context. */
export interface AppVariables {
  /** Id of this request, also sent back as `X-Request-Id`. */
  requestId: string;
  /** The template of the matched route, for metrics (e.g. `/api/v1/leagues/:league/teams`). */
  routeTemplate?: string;
  /** Everything long-lived the handlers need. */
  services: Services;
  /** A page route's HTML error document; JSON errors when absent. */
  errorPage?: ErrorPage;
}

/** The Hono `Env` of the app. */
export interface AppEnv {
  Variables: AppVariables;
}
