/**
 * Settings of the web layer (pages, islands, static files, client bundles), read from
 * `fresh.config.ts` at the project root.
 * @module
 */

/** The web layer's settings. Paths are relative to `root`. */
export interface WebConfig {
  /** Absolute path of the project root. */
  root: string;
  /** @default "routes" */
  routesDir: string;
  /** @default "islands" */
  islandsDir: string;
  /** @default "static" */
  staticDir: string;
  /** Where `deno task build` writes client bundles (never committed). @default "_fresh" */
  outDir: string;
  /** Client runtime entry. @default "islands/_client/boot.ts" */
  clientEntry: string;
  /** Dev mode: unminified bundles, no long caching of static files. @default false */
  dev: boolean;
}

/** Fills in defaults for a partial config. `root` is required. */
export function defineConfig(config: Partial<WebConfig> & { root: string }): WebConfig {
  return {
    routesDir: "routes",
    islandsDir: "islands",
    staticDir: "static",
    outDir: "_fresh",
    clientEntry: "islands/_client/boot.ts",
    dev: false,
    ...config,
    root: config.root.replace(/\/$/, ""),
  };
}
