/**
 * The SabiScore HTTP app: middleware, the file-based routes of `routes/`, one error handler.
 * Handlers reach every long-lived service through `c.get("services")`.
 * @module
 */
import { type Context, Hono, type MiddlewareHandler, type Next } from "hono";
import { LinearRouter } from "hono/router/linear-router";
import type { AppEnv } from "./app_env.ts";
import { handleError, notFoundJson } from "./error_handler.ts";
import { HttpError } from "./errors.ts";
import { accessLog } from "../middleware/access_log.ts";
import { bodyLimit } from "../middleware/body_limit.ts";
import { compress } from "../middleware/compress.ts";
import { cors } from "../middleware/cors.ts";
import { metricsTiming } from "../middleware/metrics_timing.ts";
import { rateLimit } from "../middleware/rate_limit.ts";
import { requestId } from "../middleware/request_id.ts";
import { securityHeaders, type SecurityHeadersOptions } from "../middleware/security_headers.ts";
import { thrownValues } from "../middleware/thrown_values.ts";
import type { Services } from "../services/services.ts";
import { loadRoutes, type MountOptions, mountRoutes, type RouteEntry } from "../web/router.ts";

/** What the app needs from the web layer (`server/web/web_layer.ts`). */
export interface AppWebLayer {
  /** Serves client bundles and `static/` files; anything else goes to `next()`. */
  assets: MiddlewareHandler<AppEnv>;
  /** Renders page modules for GET requests. */
  renderPage: NonNullable<MountOptions["renderPage"]>;
  /** Renders the HTML not-found page. */
  renderNotFound(c: Context<AppEnv>): Response;
  /** Whether a not-found request should get HTML rather than JSON. */
  wantsHtml(c: Context<AppEnv>): boolean;
}

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Route modules already loaded (e.g. shared between tests). @default loaded from `routesDir` */
  routes?: RouteEntry[];
  /** Folder of route files. @default the project's `routes/` */
  routesDir?: string | URL;
  /** Pages, bundles and static files. @default none: API only */
  web?: AppWebLayer;
  /** Security header overrides (e.g. a CSP). @default the strict defaults */
  securityHeaders?: SecurityHeadersOptions;
  /** Adds routes or middleware before the file routes (e.g. the WebSocket endpoint). */
  configure?: (app: Hono<AppEnv>) => void;
}

/** The project's `routes/` folder. */
export const ROUTES_DIR: URL = new URL("../../routes/", import.meta.url);

let defaultRoutes: Promise<RouteEntry[]> | undefined;

/** Builds the app over `services`. */
export async function createApp(
  services: Services,
  options: AppOptions = {},
): Promise<Hono<AppEnv>> {
  const routes = options.routes ??
    await (options.routesDir
      ? loadRoutes(options.routesDir)
      : (defaultRoutes ??= loadRoutes(ROUTES_DIR)));
  const { config, metrics, logger, rateLimitStore } = services;
  // LinearRouter, not Hono's default: its RegExpRouter refuses this route table
  // (`/api/v1/matches/upcoming` next to `/api/v1/matches/:id`), and the TrieRouter it falls back
  // to writes each request's match objects into its long-lived nodes, so they outlive the request
  // and are promoted. For a table this size the linear scan is cheaper (`deno task bench http`:
  // uncached +12-16 %, cached +4-13 %, `/health/live` unchanged, A/B on one machine).
  const app = new Hono<AppEnv>({ router: new LinearRouter() });

  app.use(
    "*",
    function provideServices(c: Context<AppEnv>, next: Next) {
      c.set("services", services);
      return next();
    },
    requestId(),
    metricsTiming(metrics),
    accessLog(logger),
    securityHeaders(options.securityHeaders),
    compress(),
    thrownValues(),
  );
  if (config.corsOrigins.length > 0) app.use("*", cors({ origins: config.corsOrigins }));
  if (options.web) app.use("*", options.web.assets);
  app.use("/api/*", bodyLimit({ maxBytes: config.maxBodyBytes }));
  if (rateLimitStore) {
    app.use(
      "/api/*",
      rateLimit(rateLimitStore, {
        limit: config.rateLimitRequests,
        windowMs: config.rateLimitWindowSeconds * 1000,
        trustProxy: config.trustProxy,
        now: services.now,
        onLimited: () => metrics.rateLimited.inc(),
      }),
    );
  }
  options.configure?.(app);
  const allowedMethods = mountRoutes(app, routes, { renderPage: options.web?.renderPage });

  app.onError(handleError);
  const web = options.web;
  app.notFound((c) => {
    // A path a route file serves, with a method it does not: 405 with the ones it does.
    const allow = allowedMethods(c.req.path);
    if (allow !== undefined) {
      return handleError(
        new HttpError(405, `Method ${c.req.method} is not allowed on ${c.req.path}; use ${allow}`, {
          code: "method_not_allowed",
          headers: { Allow: allow },
        }),
        c,
      );
    }
    return web && web.wantsHtml(c) ? web.renderNotFound(c) : notFoundJson(c);
  });
  return app;
}
