/**
 * Fresh-style file-based routing on Hono: `routes/index.tsx` -> `/`, `routes/match/[id].tsx`
 * -> `/match/:id`, `routes/[...rest].tsx` -> catch-all, `(group)/` adds no segment; files whose
 * name starts with `_` or ends in `_test.ts(x)` are not routes.
 *
 * A route module exports `handler` (per-method functions taking the Hono context) and/or a
 * default page component (rendered by the islands renderer, see `server/web/render.ts`).
 * @module
 */
import type { Context, Hono } from "hono";
import type { AppEnv } from "../http/app_env.ts";

/** A method handler of a route file. */
export type RouteHandler = (c: Context<AppEnv>) => Response | Promise<Response>;

/** What a route file's `handler` export may contain. */
export type Handlers = Partial<
  Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS", RouteHandler>
>;

/** A loaded route module. */
export interface RouteModule {
  handler?: Handlers;
  // deno-lint-ignore no-explicit-any
  default?: (props: any) => unknown;
}

/** One route found on disk. */
export interface RouteEntry {
  /** Path relative to the routes folder, e.g. `match/[id].tsx`. */
  file: string;
  /** Hono path pattern, e.g. `/match/:id`. */
  pattern: string;
  module: RouteModule;
}

/** Turns a routes-relative file path into a Hono pattern, or null if it is not a route. */
export function filePathToPattern(file: string): string | null {
  const parts = file.replace(/\\/g, "/").split("/");
  const base = parts[parts.length - 1];
  if (!/\.(ts|tsx)$/.test(base) || base.startsWith("_") || /_test\.tsx?$/.test(base)) return null;
  parts[parts.length - 1] = base.replace(/\.(ts|tsx)$/, "");
  const segments: string[] = [];
  for (const p of parts) {
    if (/^\(.*\)$/.test(p)) continue;
    if (p === "index") continue;
    const rest = p.match(/^\[\.\.\.(\w+)\]$/);
    if (rest) {
      segments.push("*");
      continue;
    }
    segments.push(p.replace(/\[(\w+)\]/g, ":$1"));
  }
  return "/" + segments.join("/");
}

/** Specificity order: static segments before params before catch-alls. */
function rank(pattern: string): number[] {
  return pattern.split("/").map((s) => (s === "*" ? 2 : s.startsWith(":") ? 1 : 0));
}

function compareRoutes(a: RouteEntry, b: RouteEntry): number {
  const ra = rank(a.pattern), rb = rank(b.pattern);
  for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
    const x = ra[i] ?? -1, y = rb[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}

async function walk(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await walk(`${dir}/${e.name}`, rel));
    else if (e.isFile) out.push(rel);
  }
  return out;
}

/** Loads every route module under `routesDir` (an absolute path or file URL), most specific first. */
export async function loadRoutes(routesDir: string | URL): Promise<RouteEntry[]> {
  const dirUrl = new URL(String(routesDir).endsWith("/") ? routesDir : `${routesDir}/`);
  const files = await walk(dirUrl.pathname.replace(/\/$/, ""));
  const entries: RouteEntry[] = [];
  for (const file of files.sort()) {
    const pattern = filePathToPattern(file);
    if (!pattern) continue;
    const module = await import(new URL(file, dirUrl).href) as RouteModule;
    entries.push({ file, pattern, module });
  }
  return entries.sort(compareRoutes);
}

/** Options of {@link mountRoutes}. */
export interface MountOptions {
  /**
   * Renders a page module (default export) for GET requests that have no GET handler.
   * Provided by the islands renderer.
   */
  renderPage?: (entry: RouteEntry, c: Context<AppEnv>) => Response | Promise<Response>;
}

/** Mounts loaded routes on a Hono app. */
export function mountRoutes(
  app: Hono<AppEnv>,
  routes: RouteEntry[],
  options: MountOptions = {},
): AllowedMethods {
  const table: { pattern: RegExp; allow: string }[] = [];
  for (const entry of routes) {
    const handlers = entry.module.handler ?? {};
    const methods: string[] = [];
    for (const [method, fn] of Object.entries(handlers)) {
      if (!fn) continue;
      app.on(method, entry.pattern, fn);
      methods.push(method);
    }
    if (!handlers.GET && entry.module.default && options.renderPage) {
      const render = options.renderPage;
      app.get(entry.pattern, (c) => render(entry, c));
      methods.push("GET");
    }
    if (methods.length === 0) continue;
    // GET implies HEAD, which Hono answers from the GET handler.
    if (methods.includes("GET") && !methods.includes("HEAD")) methods.push("HEAD");
    table.push({ pattern: patternRegExp(entry.pattern), allow: methods.join(", ") });
  }
  return (path) => table.find((r) => r.pattern.test(path))?.allow;
}

/**
 * The methods a path's route file serves (for `Allow` in a 405), or undefined when no route file
 * matches it. Consulted only for requests no handler took, so it costs nothing on the hot path.
 */
export type AllowedMethods = (path: string) => string | undefined;

/** A Hono route pattern (`/a/:id/b`, `/a/*`) as an anchored regular expression. */
function patternRegExp(pattern: string): RegExp {
  const source = pattern.split("/").map((segment) => {
    if (segment === "*") return ".*";
    if (segment.startsWith(":")) return "[^/]+";
    return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("/");
  return new RegExp(`^${source}$`);
}
