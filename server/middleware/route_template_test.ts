import assert from "node:assert/strict";
import { Hono } from "hono";
import { LinearRouter } from "hono/router/linear-router";
import type { AppEnv } from "../http/app_env.ts";
import { MIDDLEWARE_ROUTE, routeTemplate, UNMATCHED_ROUTE } from "./route_template.ts";

Deno.test("routeTemplate labels the route that answered, not the last one matching", async () => {
  const app = new Hono<AppEnv>({ router: new LinearRouter() });
  const seen: string[] = [];
  app.use("*", async (c, next) => {
    await next();
    seen.push(routeTemplate(c));
  });
  app.use("/static/*", (c) => Promise.resolve(c.text("file")));
  app.get("/api/v1/matches/upcoming", (c) => c.text("list"));
  app.get("/api/v1/matches/:id", (c) => c.text(c.req.param("id")));

  assert.equal(await (await app.request("/api/v1/matches/upcoming")).text(), "list");
  assert.equal(await (await app.request("/api/v1/matches/m1")).text(), "m1");
  await (await app.request("/static/a.css")).text();
  await (await app.request("/nowhere")).text();
  assert.deepEqual(seen, [
    "/api/v1/matches/upcoming",
    "/api/v1/matches/:id",
    MIDDLEWARE_ROUTE,
    UNMATCHED_ROUTE,
  ]);
});
