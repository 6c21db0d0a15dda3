/**
 * Where the shared football data lives: `$SABISCORE_DATA`, else `../shared/data` relative to the
 * project root.
 * @module
 */
import { fileURLToPath } from "node:url";

/** Absolute path of the shared data folder (it may not exist on this machine). */
export function sharedDataDir(): string {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("SABISCORE_DATA");
  } catch {
    // Without --allow-env fall back to the default location.
  }
  return fromEnv && fromEnv.trim() !== ""
    ? fromEnv
    : fileURLToPath(new URL("../../../shared/data", import.meta.url));
}

/** Whether the shared data folder exists and holds the `leagues/` files. */
export async function hasSharedData(dir = sharedDataDir()): Promise<boolean> {
  try {
    return (await Deno.stat(`${dir}/leagues`)).isDirectory;
  } catch {
    return false;
  }
}
