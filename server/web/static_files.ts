/**
 * Serves client bundles at `/_fresh/<buildId>/<file>` (one-year immutable cache) and the files
 * of `static/` at the site root (`static/styles.css` -> `/styles.css`) with an ETag. Both come
 * precompressed (brotli, gzip) to clients that accept it, so no request pays for compressing them.
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import {
  type EncodedVariants,
  isCompressibleType,
  negotiateEncoding,
  precompress,
  varyOnEncoding,
} from "../http/content_encoding.ts";
import type { ClientBuild } from "./build.ts";

/** URL prefix of client bundles. */
export const BUNDLE_PREFIX = "/_fresh/";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  webmanifest: "application/manifest+json",
  woff2: "font/woff2",
};

/** Content type of a file name (by extension). */
export function contentType(name: string): string {
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}

/** The files under `dir` as site paths (`/styles.css`), hidden files and folders left out. */
async function listStaticFiles(dir: string, prefix = ""): Promise<Set<string>> {
  const out = new Set<string>();
  try {
    for await (const e of Deno.readDir(`${dir}${prefix}`)) {
      if (e.name.startsWith(".")) continue;
      const path = `${prefix}/${e.name}`;
      if (e.isDirectory) { for (const p of await listStaticFiles(dir, path)) out.add(p); }
      else if (e.isFile) out.add(path);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/** Options of {@link serveWebAssets}. */
export interface ServeWebAssetsOptions {
  build: ClientBuild;
  /** Absolute path of the static folder. */
  staticDir: string;
  /**
   * Dev mode: re-read static files on every request, and serve files added since the start.
   * Otherwise only the files present at the first request are served. @default false
   */
  dev?: boolean;
}

interface StaticFile {
  data: Uint8Array;
  /** The ETag of the identity form; a coding's form gets it with the coding's name added. */
  etag?: string;
  type: string;
  encoded: EncodedVariants;
}

async function etagOf(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-1", data as Uint8Array<ArrayBuffer>),
  );
  return `"${[...digest.slice(0, 10)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

function fileAnswer(
  c: Context<AppEnv>,
  file: StaticFile,
  headers: Record<string, string>,
): Response {
  const coding = negotiateEncoding(c.req.header("accept-encoding"));
  const encoded = coding ? file.encoded[coding] : undefined;
  headers["content-type"] = file.type;
  if (file.encoded.br || file.encoded.gzip) headers.vary = varyOnEncoding(null);
  if (encoded) headers["content-encoding"] = coding!;
  if (file.etag) {
    headers.etag = encoded ? `${file.etag.slice(0, -1)}-${coding}"` : file.etag;
    if (c.req.header("if-none-match") === headers.etag) {
      return new Response(null, { status: 304, headers });
    }
  }
  const body = c.req.method === "HEAD" ? null : encoded ?? file.data;
  return new Response(body as Uint8Array<ArrayBuffer> | null, { headers });
}

/**
 * A middleware answering GET/HEAD for bundles and static files; anything else goes to `next()`.
 */
export function serveWebAssets(options: ServeWebAssetsOptions): MiddlewareHandler<AppEnv> {
  const { build, staticDir } = options;
  const cache = new Map<string, StaticFile>();
  const bundles = new Map<string, StaticFile>();
  for (const [name, data] of build.files) {
    bundles.set(name, { data, type: contentType(name), encoded: build.encoded.get(name) ?? {} });
  }

  // Outside dev the folder is listed once: a name not in it is answered without touching the
  // disk, and the cache holds listed files only. Caching each miss instead let any client grow
  // it without bound (300k requests for distinct names left 300k entries; no rate limit here).
  let listed: Promise<Set<string>> | undefined;

  async function readStatic(path: string): Promise<StaticFile | null> {
    if (!options.dev) {
      if (!(await (listed ??= listStaticFiles(staticDir))).has(path)) return null;
      if (cache.has(path)) return cache.get(path)!;
    }
    let file: StaticFile | null = null;
    try {
      const data = await Deno.readFile(`${staticDir}${path}`);
      const type = contentType(path);
      // Dev re-reads the file on every request: compress it quickly there.
      const effort = options.dev ? "fast" : "max";
      const encoded = isCompressibleType(type) ? precompress(data, { effort }) : {};
      file = { data, etag: await etagOf(data), type, encoded };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.IsADirectory)) throw e;
    }
    if (file && !options.dev) cache.set(path, file);
    return file;
  }

  return async function serveWebAssets(c: Context<AppEnv>, next: Next) {
    const method = c.req.method;
    if (method !== "GET" && method !== "HEAD") return next();
    const path = c.req.path;
    if (path.startsWith(BUNDLE_PREFIX)) {
      const [id, name] = path.slice(BUNDLE_PREFIX.length).split("/", 2);
      const file = id === build.buildId && name ? bundles.get(name) : undefined;
      if (!file) return next();
      return fileAnswer(c, file, { "cache-control": "public, max-age=31536000, immutable" });
    }
    // Plain names only: no `..`, no hidden files, no encoded separators.
    if (path === "/" || !/^(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)+$/.test(path) || path.includes("..")) {
      return next();
    }
    const file = await readStatic(path);
    if (!file) return next();
    return fileAnswer(c, file, {
      "cache-control": options.dev ? "no-cache" : "public, max-age=3600, must-revalidate",
    });
  };
}
