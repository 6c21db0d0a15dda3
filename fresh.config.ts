/**
 * Web layer settings: where routes, islands and static files live, where `deno task build`
 * writes client bundles, and whether to run in dev mode (`SABISCORE_DEV=1`: unminified bundles,
 * no long caching of static files).
 * @module
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "./server/web/config.ts";

function devMode(): boolean {
  try {
    return Deno.env.get("SABISCORE_DEV") === "1";
  } catch {
    return false; // no --allow-env
  }
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  routesDir: "routes",
  islandsDir: "islands",
  staticDir: "static",
  outDir: "_fresh",
  dev: devMode(),
});
