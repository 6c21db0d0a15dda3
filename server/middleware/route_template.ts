/**
 * The route template a request matched (e.g. `/api/v1/leagues/:league/teams`), to label logs and
 * metrics without one label per URL.
 * @module
 */
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../http/app_env.ts";

/** Label for requests no route matched (404s). */
export const UNMATCHED_ROUTE = "(unmatched)";

/** Label for requests a middleware answered without a route (static files, CORS preflight). */
export const MIDDLEWARE_ROUTE = "(middleware)";

/**
 * The template of the route handling `c`: the `routeTemplate` variable when set, else the last
 * matched route registered for a concrete method (middleware is registered for all methods).
 * Call it after `next()`, when the response is known.
 */
export function routeTemplate(c: Context<AppEnv>): string {
  const set = c.get("routeTemplate");
  if (set) return set;
  const routes = matchedRoutes(c);
  // The handler that answered is the last one dispatched: with `/matches/upcoming` registered
  // before `/matches/:id`, both match `/matches/upcoming`, and the last match is the wrong one.
  const answered = routes[c.req.routeIndex];
  if (answered && answered.method !== "ALL") {
    c.set("routeTemplate", answered.path);
    return answered.path;
  }
  let template = c.res.status === 404 ? UNMATCHED_ROUTE : MIDDLEWARE_ROUTE;
  for (let i = routes.length - 1; i >= 0; i--) {
    if (routes[i].method !== "ALL") {
      template = routes[i].path;
      break;
    }
  }
  c.set("routeTemplate", template); // the access log and the metrics both ask
  return template;
}
