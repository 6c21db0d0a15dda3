/**
 * The web layer as one unit for `createApp`: builds the client bundles, loads the islands, and
 * provides `renderPage` (for `mountRoutes`), the asset middleware (bundles + static files) and a
 * not-found renderer for HTML requests.
 * @module
 */
import { pathToFileURL } from "node:url";
import { h } from "preact";
import type { ComponentType } from "preact";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, ErrorPage } from "../http/app_env.ts";
import { HttpError } from "../http/errors.ts";
import { buildClient, type ClientBuild } from "./build.ts";
import type { WebConfig } from "./config.ts";
import { inlineStylesheets, readInlineStyles } from "./inline_styles.ts";
import { type IslandInfo, loadIslands } from "./island_registry.ts";
import type { AppProps, ErrorPageData, PageModule, PageProps } from "./page.ts";
import { type PageData, pageDataFromServices } from "./page_data.ts";
import { type ClientAssets, renderDocument } from "./render.ts";
import type { RouteEntry } from "./router.ts";
import { BUNDLE_PREFIX, serveWebAssets } from "./static_files.ts";

/** Options of {@link createWebLayer}. */
export interface WebLayerOptions {
  /** @default the project's `fresh.config.ts` */
  config?: WebConfig;
  /** A ready build (e.g. shared between tests). @default built at start-up with esbuild */
  build?: ClientBuild;
  /** Page data source. @default {@link pageDataFromServices} over `c.get("services")` */
  pageData?: (c: Context<AppEnv>) => PageData;
  /** Folder of model cards. @default `<root>/models` */
  modelsDir?: string;
}

/** What the app wires in. */
export interface WebLayer {
  config: WebConfig;
  build: ClientBuild;
  islands: IslandInfo[];
  /** Pass as `mountRoutes(app, routes, { renderPage: web.renderPage })`. */
  renderPage(entry: RouteEntry, c: Context<AppEnv>): Promise<Response>;
  /** `app.use("*", web.assets)`: serves `/_fresh/<buildId>/*` and `static/` files at the root. */
  assets: MiddlewareHandler<AppEnv>;
  /** Renders `routes/_404.tsx` (status 404) for a request. */
  renderNotFound(c: Context<AppEnv>): Response;
  /** Whether a not-found request should get the HTML page (GET/HEAD, accepts HTML, not `/api/`). */
  wantsHtml(c: Context<AppEnv>): boolean;
  /** Renders a page module directly (tests, benchmarks). */
  renderModule<D>(
    module: PageModule<D>,
    c: Context<AppEnv>,
    params?: Record<string, string>,
  ): Promise<Response>;
}

function DefaultApp({ Component, title }: AppProps) {
  return h("html", { lang: "en" }, [
    h("head", null, [h("meta", { charset: "utf-8" }), h("title", null, title)]),
    h("body", null, h(Component, null)),
  ]);
}

function DefaultNotFound() {
  return h("main", null, h("h1", null, "Page not found"));
}

function DefaultError({ data }: PageProps<ErrorPageData>) {
  return h("main", null, [h("h1", null, `Error ${data.status}`), h("p", null, data.message)]);
}

async function importOptional<T>(path: string): Promise<T | undefined> {
  try {
    await Deno.stat(path);
  } catch {
    return undefined;
  }
  return (await import(pathToFileURL(path).href)).default as T;
}

/** Creates the web layer: builds client bundles (unless given) and loads islands, `_app`, `_404`. */
export async function createWebLayer(options: WebLayerOptions = {}): Promise<WebLayer> {
  const config = options.config ?? (await import("../../fresh.config.ts")).default;
  const islands = await loadIslands(config.root, config.islandsDir);
  const build = options.build ??
    await buildClient(config, { islands: [...new Set(islands.map((i) => i.file))] });
  const routes = `${config.root}/${config.routesDir}`;
  const App = await importOptional<ComponentType<AppProps>>(`${routes}/_app.tsx`) ?? DefaultApp;
  const NotFound = await importOptional<ComponentType<PageProps<null>>>(`${routes}/_404.tsx`) ??
    DefaultNotFound;
  const ErrorView =
    await importOptional<ComponentType<PageProps<ErrorPageData>>>(`${routes}/_error.tsx`) ??
      DefaultError;
  const modelsDir = options.modelsDir ?? `${config.root}/models`;
  // In dev mode stylesheets stay linked, so an edit shows on reload without a restart.
  const styles = config.dev
    ? new Map<string, string>()
    : await readInlineStyles(`${config.root}/${config.staticDir}`);
  const pageData = options.pageData ??
    ((c: Context<AppEnv>) => pageDataFromServices(c.get("services")));

  const base = `${BUNDLE_PREFIX}${build.buildId}/`;
  const runtimeFile = build.entries.get(config.clientEntry);
  if (!runtimeFile) throw new Error(`Client build has no entry for "${config.clientEntry}"`);
  const assets: ClientAssets = {
    runtimeUrl: base + runtimeFile,
    islandUrl(file) {
      const out = build.entries.get(file);
      if (!out) throw new Error(`Island module "${file}" is not in the client build`);
      return base + out;
    },
    preloads(urls) {
      const seen = new Set<string>();
      const visit = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        for (const dep of build.imports.get(name) ?? []) visit(dep);
      };
      for (const url of urls) visit(url.slice(base.length));
      return [...seen].map((name) => base + name);
    },
  };

  function documentResponse(
    Page: ComponentType<PageProps<unknown>>,
    props: PageProps<unknown>,
    title: string,
    status = 200,
    headers: Record<string, string> = {},
  ): Response {
    const Component = () => h(Page, props);
    const html = inlineStylesheets(
      renderDocument(h(App, { Component, url: props.url, title }), assets),
      styles,
    );
    return new Response(html, {
      status,
      headers: {
        ...headers,
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  }

  /** A page's failure as a document: the error handler's status, headers and message. */
  function errorPage(c: Context<AppEnv>): ErrorPage {
    return (error, requestId, headers) => {
      const data: ErrorPageData = {
        status: error.status,
        code: error.code,
        message: error.message,
        requestId,
      };
      const props = { url: new URL(c.req.url), params: {}, data };
      const title = error.status === 503
        ? "Temporarily unavailable · SabiScore"
        : "Something went wrong · SabiScore";
      return documentResponse(
        ErrorView as ComponentType<PageProps<unknown>>,
        props,
        title,
        error.status,
        headers,
      );
    };
  }

  function renderNotFound(c: Context<AppEnv>): Response {
    const props = { url: new URL(c.req.url), params: {}, data: null };
    return documentResponse(
      NotFound as ComponentType<PageProps<unknown>>,
      props,
      "Not found · SabiScore",
      404,
    );
  }

  async function renderModule<D>(
    module: PageModule<D>,
    c: Context<AppEnv>,
    params: Record<string, string> = {},
  ): Promise<Response> {
    // Any failure from here on reaches the one error handler, which answers with this page.
    c.set("errorPage", errorPage(c));
    let data: D;
    try {
      data = module.load ? await module.load(c, { data: pageData(c), modelsDir }) : undefined as D;
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return renderNotFound(c);
      throw e;
    }
    const title = typeof module.title === "function"
      ? module.title(data)
      : module.title ?? "SabiScore";
    const props: PageProps<unknown> = { url: new URL(c.req.url), params, data };
    return documentResponse(module.default as ComponentType<PageProps<unknown>>, props, title);
  }

  return {
    config,
    build,
    islands,
    renderPage: (entry, c) =>
      renderModule(
        entry.module as unknown as PageModule<unknown>,
        c,
        c.req.param() as Record<string, string>,
      ),
    assets: serveWebAssets({
      build,
      staticDir: `${config.root}/${config.staticDir}`,
      dev: config.dev,
    }),
    renderNotFound,
    wantsHtml(c) {
      const method = c.req.method;
      return (method === "GET" || method === "HEAD") && !c.req.path.startsWith("/api/") &&
        (c.req.header("accept") ?? "").includes("text/html");
    },
    renderModule,
  };
}
