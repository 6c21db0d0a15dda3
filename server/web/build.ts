/**
 * Bundles the browser code with esbuild: one entry for the client runtime and one per island
 * module, ESM with code splitting (so every island shares one Preact), minified, JSX through
 * Preact's automatic runtime, hashed file names. Builds in memory at start-up, or writes to
 * `_fresh/` when run as `deno task build`. Refuses bundles that pull in server modules.
 * @module
 */
import * as esbuild from "esbuild";
import { type EncodedVariants, precompress } from "../http/content_encoding.ts";
import type { WebConfig } from "./config.ts";
import { isIslandFile } from "./island_registry.ts";

/** One built client: its files and how sources map onto them. */
export interface ClientBuild {
  /** Content hash of all outputs; files are served under `/_fresh/<buildId>/`. */
  buildId: string;
  /** Output file name (e.g. `LiveBoard-3FQ2X.js`) -> contents. */
  files: Map<string, Uint8Array>;
  /** Source entry (e.g. `islands/LiveBoard.tsx`) -> output file name. */
  entries: Map<string, string>;
  /** Output file name -> its brotli and gzip forms, compressed once at build time. */
  encoded: Map<string, EncodedVariants>;
  /** Output file name -> output files it imports statically (shared chunks). */
  imports: Map<string, string[]>;
  /** Every source file that went into the bundles, relative to the root. */
  inputs: string[];
}

/** Options of {@link buildClient}. */
export interface BuildClientOptions {
  /** Island source files relative to the root. @default every island module in `islandsDir` */
  islands?: string[];
  /** Stop the esbuild service afterwards so the process can exit. @default true */
  stop?: boolean;
}

/** Lists the island modules of the islands folder, relative to the root. */
export async function listIslandFiles(config: WebConfig): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${config.root}/${config.islandsDir}`)) {
    if (e.isFile && isIslandFile(e.name)) out.push(`${config.islandsDir}/${e.name}`);
  }
  return out.sort();
}

/** Throws if a bundle input is a server module (anything under `server/` but `server/domain/`). */
export function assertNoServerInputs(inputs: string[]): void {
  const bad = inputs.filter((f) => /^server\//.test(f) && !/^server\/domain\//.test(f));
  if (bad.length > 0) {
    throw new Error(
      `Client bundle imports server module "${
        bad[0]
      }"; browser code may only import server/domain/`,
    );
  }
}

async function hashHex(data: Uint8Array[]): Promise<string> {
  const total = data.reduce((n, d) => n + d.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const d of data) {
    all.set(d, at);
    at += d.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Builds the client runtime and islands in memory. */
export async function buildClient(
  config: WebConfig,
  options: BuildClientOptions = {},
): Promise<ClientBuild> {
  const islands = options.islands ?? await listIslandFiles(config);
  const outdir = `${config.root}/${config.outDir}/build`;
  try {
    const result = await esbuild.build({
      absWorkingDir: config.root,
      entryPoints: [config.clientEntry, ...islands],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: ["es2022", "chrome110", "firefox110", "safari16"],
      minify: !config.dev,
      jsx: "automatic",
      jsxImportSource: "preact",
      metafile: true,
      write: false,
      outdir,
      entryNames: "[name]-[hash]",
      chunkNames: "chunk-[hash]",
      define: { "process.env.NODE_ENV": config.dev ? '"development"' : '"production"' },
      logLevel: "silent",
      legalComments: "none",
    });
    const inputs = Object.keys(result.metafile.inputs).sort();
    assertNoServerInputs(inputs);
    const prefix = `${config.outDir}/build/`;
    const files = new Map<string, Uint8Array>();
    for (const f of result.outputFiles) files.set(f.path.slice(outdir.length + 1), f.contents);
    const entries = new Map<string, string>();
    const imports = new Map<string, string[]>();
    for (const [out, meta] of Object.entries(result.metafile.outputs)) {
      if (!out.endsWith(".js")) continue;
      const name = out.slice(prefix.length);
      if (meta.entryPoint) entries.set(meta.entryPoint, name);
      imports.set(
        name,
        meta.imports.filter((i) => i.kind === "import-statement" && !i.external)
          .map((i) => i.path.slice(prefix.length)),
      );
    }
    const names = [...files.keys()].sort();
    const buildId = await hashHex(names.map((n) => files.get(n)!));
    const encoded = new Map<string, EncodedVariants>();
    for (const [name, data] of files) encoded.set(name, precompress(data));
    return { buildId, files, encoded, entries, imports, inputs };
  } finally {
    if (options.stop ?? true) await esbuild.stop();
  }
}

/** Writes a build to `<outDir>/<buildId>/` with a `manifest.json` beside it. */
export async function writeBuild(config: WebConfig, build: ClientBuild): Promise<string> {
  const dir = `${config.root}/${config.outDir}/${build.buildId}`;
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, data] of build.files) await Deno.writeFile(`${dir}/${name}`, data);
  // Beside each file its precompressed forms, named as static file servers look for them.
  for (const [name, { br, gzip }] of build.encoded) {
    if (br) await Deno.writeFile(`${dir}/${name}.br`, br);
    if (gzip) await Deno.writeFile(`${dir}/${name}.gz`, gzip);
  }
  const manifest = {
    build_id: build.buildId,
    entries: Object.fromEntries(build.entries),
    imports: Object.fromEntries(build.imports),
  };
  await Deno.writeTextFile(
    `${config.root}/${config.outDir}/manifest.json`,
    JSON.stringify(manifest, null, 2) + "\n",
  );
  return dir;
}

if (import.meta.main) {
  const { default: config } = await import("../../fresh.config.ts");
  const started = performance.now();
  const build = await buildClient(config);
  const dir = await writeBuild(config, build);
  const ms = (performance.now() - started).toFixed(0);
  const bytes = [...build.files.values()].reduce((n, f) => n + f.length, 0);
  console.log(`Built ${build.files.size} client files (${bytes} bytes) into ${dir} in ${ms} ms`);
}
