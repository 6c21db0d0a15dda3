/**
 * Expands match sources (CSV files, folders searched recursively for `*.csv`, http(s) URLs) into
 * named texts.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The text of one source file. */
export interface SourceText {
  /** File path or URL. */
  name: string;
  text: string;
}

/** How sources are read. */
export interface ReadSourcesOptions {
  /**
   * The fetch used for http(s) sources.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /** Cancels pending downloads. */
  signal?: AbortSignal;
}

/** Reads every source in order; a folder yields its CSV files sorted by path. */
export async function readSources(
  sources: string | URL | readonly (string | URL)[],
  options: ReadSourcesOptions = {},
): Promise<SourceText[]> {
  const list = Array.isArray(sources) ? sources : [sources as string | URL];
  const out: SourceText[] = [];
  for (const source of list) {
    const name = String(source);
    if (/^https?:\/\//i.test(name)) {
      out.push({ name, text: await download(name, options) });
    } else {
      const path = name.startsWith("file:") ? fileURLToPath(name) : name;
      for (const file of await csvFiles(path)) {
        out.push({ name: file, text: await Deno.readTextFile(file) });
      }
    }
  }
  return out;
}

async function download(url: string, options: ReadSourcesOptions): Promise<string> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url, { signal: options.signal });
  } catch (error) {
    throw new Error(`Cannot load "${url}": ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`Cannot load "${url}": HTTP ${response.status}`);
  }
  return await response.text();
}

async function csvFiles(path: string): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot load "${path}": no such file or folder`, { cause: error });
    }
    throw error;
  }
  if (!info.isDirectory) return [path];
  const found: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const full = join(dir, entry.name);
      if (entry.isDirectory) await walk(full);
      else if (entry.isFile && entry.name.toLowerCase().endsWith(".csv")) found.push(full);
    }
  };
  await walk(path);
  return found.sort();
}
