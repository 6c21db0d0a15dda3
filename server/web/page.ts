/**
 * Types of page route modules: a default Preact component and an optional `load` that fetches
 * its data on the server, plus the `_app` wrapper's props.
 * @module
 */
import type { ComponentType } from "preact";
import type { Context } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import type { PageData } from "./page_data.ts";

/** Props every page component receives. */
export interface PageProps<D = unknown> {
  url: URL;
  params: Record<string, string>;
  data: D;
}

/** What a page's `load` gets besides the request context. */
export interface PageLoadContext {
  /** Live matches, alerts... from the app's services (empty when a service is missing). */
  data: PageData;
  /** Absolute path of the `models/` folder (model cards). */
  modelsDir: string;
}

/** A page route module. */
export interface PageModule<D = unknown> {
  default: ComponentType<PageProps<D>>;
  /** Loads the page's data; throw `HttpError(404)` to render the 404 page. */
  load?: (c: Context<AppEnv>, ctx: PageLoadContext) => D | Promise<D>;
  /** The document title, fixed or from the data. */
  title?: string | ((data: D) => string);
}

/** Props of `routes/_app.tsx`. */
export interface AppProps {
  Component: ComponentType;
  url: URL;
  title: string;
}

/** What `routes/_error.tsx` gets: the failure the error handler answers a page request with. */
export interface ErrorPageData {
  status: number;
  code: string;
  message: string;
  requestId: string;
}
