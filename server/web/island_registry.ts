/**
 * The island registry: every exported function of a module in `islands/` is an island, keyed by
 * the component function itself (as in Fresh). The server renderer looks components up here.
 * @module
 */
import { pathToFileURL } from "node:url";
import type { ComponentType } from "preact";

/** One registered island. */
export interface IslandInfo {
  /** Unique name written into the markers, e.g. `LiveBoard` or `Charts_OddsChart`. */
  name: string;
  /** Source file relative to the project root, e.g. `islands/LiveBoard.tsx`. */
  file: string;
  /** The export this island is (`default` or a named export). */
  exportName: string;
}

const islands = new Map<unknown, IslandInfo>();

/** The island a component is, or undefined for ordinary (server-only) components. */
export function islandOf(component: unknown): IslandInfo | undefined {
  return islands.get(component);
}

/** Registers a component as an island. Registering the same function twice keeps the first. */
export function registerIsland(component: ComponentType<never>, info: IslandInfo): void {
  if (!islands.has(component)) islands.set(component, info);
}

/** Whether a file inside the islands folder is an island module (not `_client/`, not a test). */
export function isIslandFile(name: string): boolean {
  return /^[^_.][^/]*\.(tsx|ts|jsx|js)$/.test(name) && !/_test\.(tsx?|jsx?)$/.test(name);
}

/**
 * Imports every island module of `islandsDir` (top-level files only) and registers each exported
 * function. Returns the registered islands, sorted by name.
 */
export async function loadIslands(rootDir: string, islandsDir: string): Promise<IslandInfo[]> {
  const dir = `${rootDir}/${islandsDir}`;
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && isIslandFile(e.name)) names.push(e.name);
  }
  const found: IslandInfo[] = [];
  const used = new Set<string>();
  for (const fileName of names.sort()) {
    const file = `${islandsDir}/${fileName}`;
    const mod = await import(pathToFileURL(`${rootDir}/${file}`).href) as Record<string, unknown>;
    const base = fileName.replace(/\.[jt]sx?$/, "").replace(/[^A-Za-z0-9_]/g, "_");
    for (const [exportName, value] of Object.entries(mod)) {
      if (typeof value !== "function") continue;
      let name = exportName === "default" || exportName === base ? base : `${base}_${exportName}`;
      while (used.has(name)) name += "_";
      used.add(name);
      const info = islandOf(value) ?? { name, file, exportName };
      registerIsland(value as ComponentType<never>, info);
      if (!found.includes(info)) found.push(info);
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
