/**
 * `deno task bench web`: the home page's budget. Starts the full app over the demo bookmaker
 * in-process and prints: the first HTML size of `/` (budget < 50 KB), the total JavaScript of `/`
 * raw and gzip (budget < 60 KB gzip), the client build time, and the server render time of `/`
 * through the whole app (middleware included, no network) as p50/p99 (budget p99 < 20 ms).
 *
 * Options: `--requests <n>` timed renders (2000), `--matches <n>` fixtures per league (6).
 * @module
 */
import config from "../fresh.config.ts";
import { buildClient } from "../server/web/build.ts";
import { startDemoApp } from "../server/testing/demo_app.ts";

async function gzipSize(data: Uint8Array): Promise<number> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function flag(args: string[], name: string, def: number): number {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return def;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`Invalid --${name}: expected a positive integer, got "${args[i + 1]}"`);
  }
  return n;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Runs the web benchmark. */
export async function benchWeb(args: string[]): Promise<void> {
  const requests = flag(args, "requests", 2000);
  const matches = flag(args, "matches", 6);
  const t0 = performance.now();
  const build = await buildClient(config);
  const buildMs = performance.now() - t0;
  const app = await startDemoApp({ build, matchesPerLeague: matches });
  try {
    const home = await app.fetch(new Request(`${app.url}/`, { headers: { accept: "text/html" } }));
    const html = new Uint8Array(await home.arrayBuffer());
    const text = new TextDecoder().decode(html);
    const scripts = [
      ...text.matchAll(/<(?:script type="module" src|link rel="modulepreload" href)="([^"]+)"/g),
    ]
      .map((m) => m[1]);
    const jsUrls = [...new Set(scripts)];
    let jsRaw = 0, jsGzip = 0;
    for (const url of jsUrls) {
      const res = await app.fetch(new Request(`${app.url}${url}`));
      if (!res.ok) throw new Error(`Cannot load "${url}": status ${res.status}`);
      const data = new Uint8Array(await res.arrayBuffer());
      jsRaw += data.length;
      jsGzip += await gzipSize(data);
    }
    const boardMatches = (text.match(/<li class="match card"/g) ?? []).length;
    // Warm up, then time renders of `/` through the whole app.
    for (let i = 0; i < 100; i++) {
      await (await app.fetch(new Request(`${app.url}/`, { headers: { accept: "text/html" } })))
        .arrayBuffer();
    }
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const start = performance.now();
      const res = await app.fetch(new Request(`${app.url}/`, { headers: { accept: "text/html" } }));
      await res.arrayBuffer();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const p99 = percentile(times, 99);
    const rows: [string, string, string][] = [
      ["matches on the board", String(boardMatches), ""],
      [
        "first HTML of /",
        `${kb(html.length)} (gzip ${kb(await gzipSize(html))})`,
        html.length < 50 * 1024 ? "ok (< 50 KB)" : "OVER 50 KB",
      ],
      [
        `JavaScript of / (${jsUrls.length} files)`,
        `${kb(jsRaw)} raw, ${kb(jsGzip)} gzip`,
        jsGzip < 60 * 1024 ? "ok (< 60 KB gzip)" : "OVER 60 KB gzip",
      ],
      ["client build (esbuild)", `${buildMs.toFixed(0)} ms`, ""],
      [
        `server render of / (${requests} requests)`,
        `p50 ${percentile(times, 50).toFixed(2)} ms, p90 ${
          percentile(times, 90).toFixed(2)
        } ms, p99 ${p99.toFixed(2)} ms, max ${times[times.length - 1].toFixed(1)} ms`,
        p99 < 20 ? "ok (p99 < 20 ms)" : "OVER 20 ms",
      ],
    ];
    console.log("| figure | value | budget |\n| --- | --- | --- |");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  } finally {
    await app.close();
  }
}

if (import.meta.main) await benchWeb(Deno.args);
