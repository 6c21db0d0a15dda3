/**
 * Model artefact files: sha256 checks, reading, atomic writes and downloads from the model
 * store. Used by the registry; free of caching and ONNX concerns.
 * @module
 */

/** Size and checksum a model card lists for one file. */
export interface ArtefactDigest {
  sha256: string;
  bytes: number;
}

/** Lowercase hex sha256 of some bytes (Web Crypto). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `bytes` have the listed size and sha256. */
export async function matchesDigest(bytes: Uint8Array, expected: ArtefactDigest): Promise<boolean> {
  return bytes.byteLength === expected.bytes && (await sha256Hex(bytes)) === expected.sha256;
}

/** The bytes of a file, or undefined when it does not exist. */
export async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Writes a file through a temporary sibling and a rename, so readers never see half a file. */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** Options of {@link downloadArtefact}. */
export interface DownloadOptions {
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Give up after this many milliseconds.
   * @default 30000
   */
  timeoutMs?: number;
}

/** Downloads `${baseUrl}/${league}/${file}`; throws `HTTP <status>` on a non-2xx answer. */
export async function downloadArtefact(
  baseUrl: string,
  path: { league: string; file: string },
  options: DownloadOptions = {},
): Promise<Uint8Array> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = `${baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(path.league)}/${
    encodeURIComponent(path.file)
  }`;
  const res = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  return new Uint8Array(await res.arrayBuffer());
}
