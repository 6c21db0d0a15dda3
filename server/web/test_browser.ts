/**
 * Debian Chromium through playwright-core for the browser tests: where it is, whether tests run
 * without it (only outside CI), and how it is launched on these machines.
 * @module
 */
import { type BrowserContext, chromium } from "playwright-core";

/** The Chromium binary (`CHROMIUM_PATH` overrides). */
export const CHROMIUM: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

function browserExists(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/** Whether the binary is there. */
export const hasBrowser: boolean = browserExists();
/** Browser tests are skipped only when there is no browser and `CI` is unset. */
export const skipBrowserTests: boolean = !hasBrowser && !Deno.env.get("CI");
if (skipBrowserTests) {
  console.warn(`Skipping browser tests: no browser at ${CHROMIUM} and CI is unset`);
}

/** A headless Chromium with its own temporary profile; `close()` removes the profile. */
export async function launchChromium(
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!hasBrowser) {
    throw new Error(`No browser at ${CHROMIUM}: install it with apt-get install -y chromium`);
  }
  const profile = await Deno.makeTempDir({ prefix: "sabiscore-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
