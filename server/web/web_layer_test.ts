import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { createApp, ROUTES_DIR } from "../http/app.ts";
import { HttpError } from "../http/errors.ts";
import { createTestApp, loadRouteFiles, SERVICE_ROUTE_FILES } from "../testing/test_app.ts";
import config from "../../fresh.config.ts";
import { buildClient } from "./build.ts";
import { readInlineStyles } from "./inline_styles.ts";
import { createWebLayer } from "./web_layer.ts";

const PAGE_FILES = [
  "index.tsx",
  "match/[id].tsx",
  "value-bets.tsx",
  "predict.tsx",
  "model.tsx",
  "api/v1/client-errors.ts",
];
const FIXTURE_MODELS = new URL("./testdata/models", import.meta.url).pathname;
const build = await buildClient(config);

async function setup() {
  const t = await createTestApp();
  const web = await createWebLayer({ build, modelsDir: FIXTURE_MODELS });
  const routes = await loadRouteFiles([...SERVICE_ROUTE_FILES, ...PAGE_FILES]);
  const app = await createApp(t.services, { routes, web });
  const get = (path: string, headers: Record<string, string> = { accept: "text/html" }) =>
    app.request(path, { headers });
  return { t, web, app, get };
}

Deno.test("web layer: pages render their empty states without the live services", async () => {
  const { t, get } = await setup();
  try {
    const board = await get("/");
    assert.equal(board.status, 200);
    assert.equal(board.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(board.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const html = await board.text();
    assert.match(html, /No upcoming matches yet/);
    assert.match(html, /<!--frsh:island:LiveBoard:0:-->/);
    assert.equal((html.match(/<script type="module"/g) ?? []).length, 1);
    // The stylesheet is in the head: no request holds the first paint back.
    const styles = await readInlineStyles(`${config.root}/${config.staticDir}`);
    const css = styles.get("/styles.css");
    assert.ok(css && html.includes(`<style>${css}</style>`), "stylesheet inlined");
    assert.doesNotMatch(html, /<link rel="stylesheet"/);
    // The other pages' styles stay off the board, whose first HTML has a budget.
    assert.ok(styles.get("/pages.css") && !html.includes(styles.get("/pages.css")!));
    assert.doesNotMatch(html, /<link rel="stylesheet"/);
    const feed = await (await get("/value-bets")).text();
    assert.match(feed, /No alerts yet/);
    const predict = await (await get("/predict")).text();
    assert.match(predict, /<!--frsh:island:PredictForm:0:-->/);
  } finally {
    await t.close();
  }
});

Deno.test("web layer: the model page reads model cards and ships no script", async () => {
  const { t, get } = await setup();
  try {
    const res = await get("/model");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Premier League/);
    assert.match(html, /2009-08-15 – 2023-05-28 \(5320 matches\)/);
    assert.match(html, /data-chart="reliability"/);
    const pages = (await readInlineStyles(`${config.root}/${config.staticDir}`)).get("/pages.css");
    assert.ok(pages && html.includes(`<style>${pages}</style>`), "the pages' styles inlined");
    assert.match(
      html,
      /"model">0.1969<\/td><td data-field="market">0.1956<\/td><td data-field="closing">0.1938</,
    );
    assert.ok(!html.includes("<script"));
  } finally {
    await t.close();
  }
});

Deno.test("web layer: unknown pages and matches get the HTML 404, the API keeps JSON", async () => {
  const { t, get } = await setup();
  try {
    const match = await get("/match/nope");
    assert.equal(match.status, 404);
    assert.match(await match.text(), /Page not found/);
    const page = await get("/no/such/page");
    assert.equal(page.status, 404);
    assert.match(await page.text(), /Page not found/);
    const api = await get("/api/v1/nothing", { accept: "application/json" });
    assert.equal(api.status, 404);
    assert.equal((await api.json()).error.code, "not_found");
  } finally {
    await t.close();
  }
});

Deno.test("web layer: a page whose live data is unavailable answers an HTML 503 with Retry-After", async () => {
  const t = await createTestApp();
  const unavailable = () =>
    Promise.reject(
      new HttpError(503, "Live odds are temporarily unavailable", {
        code: "redis_unavailable",
        headers: { "Retry-After": "2" },
      }),
    );
  const web = await createWebLayer({
    build,
    modelsDir: FIXTURE_MODELS,
    pageData: () => ({
      upcomingMatches: unavailable,
      matchInsight: unavailable,
      recentAlerts: unavailable,
      alertPerformance: unavailable,
    }),
  });
  const routes = await loadRouteFiles([...SERVICE_ROUTE_FILES, ...PAGE_FILES]);
  const app = await createApp(t.services, { routes, web });
  try {
    for (const path of ["/", "/match/m1", "/value-bets"]) {
      const res = await app.request(path, { headers: { accept: "text/html" } });
      assert.equal(res.status, 503, path);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8", path);
      assert.equal(res.headers.get("retry-after"), "2", path);
      assert.ok(res.headers.get("x-request-id"), path);
      assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      const html = await res.text();
      assert.match(html, /Temporarily unavailable/, path);
      assert.match(html, /Live odds are temporarily unavailable/, path);
    }
    const api = await app.request("/api/v1/leagues/nope/teams");
    assert.equal(api.headers.get("content-type"), "application/json", "the API keeps JSON errors");
  } finally {
    await t.close();
  }
});

Deno.test("web layer: bundles are immutable, static files carry an ETag", async () => {
  const { t, web, get } = await setup();
  try {
    const [name] = [...web.build.files.keys()];
    const bundle = await get(`/_fresh/${web.build.buildId}/${name}`, {});
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.match(bundle.headers.get("content-type") ?? "", /javascript/);
    await bundle.body?.cancel();
    const stale = await get(`/_fresh/0000000000000000/${name}`, {});
    assert.equal(stale.status, 404);
    await stale.body?.cancel();
    const css = await get("/styles.css", {});
    assert.equal(css.status, 200);
    const etag = css.headers.get("etag");
    assert.ok(etag);
    await css.body?.cancel();
    const again = await get("/styles.css", { "if-none-match": etag });
    assert.equal(again.status, 304);
    const traversal = await get("/..%2Fdeno.json", {});
    assert.equal(traversal.status, 404);
    await traversal.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("web layer: pages, bundles and static files come compressed to clients that accept it", async () => {
  const { t, web, get } = await setup();
  try {
    const page = await get("/", { accept: "text/html", "accept-encoding": "gzip, br" });
    assert.equal(page.headers.get("content-encoding"), "br");
    assert.equal(page.headers.get("vary"), "Accept-Encoding");
    const html = new TextDecoder().decode(
      brotliDecompressSync(new Uint8Array(await page.arrayBuffer())),
    );
    assert.match(html, /No upcoming matches yet/);

    // The largest bundle is served in its build-time brotli form, byte for byte.
    const [name, data] = [...web.build.files].sort((a, b) => b[1].byteLength - a[1].byteLength)[0];
    const bundle = await get(`/_fresh/${web.build.buildId}/${name}`, { "accept-encoding": "br" });
    assert.equal(bundle.headers.get("content-encoding"), "br");
    assert.equal(bundle.headers.get("vary"), "Accept-Encoding");
    const bytes = new Uint8Array(await bundle.arrayBuffer());
    assert.deepEqual(bytes, web.build.encoded.get(name)?.br);
    assert.deepEqual(new Uint8Array(brotliDecompressSync(bytes)), data);
    const plain = await get(`/_fresh/${web.build.buildId}/${name}`, {});
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.deepEqual(new Uint8Array(await plain.arrayBuffer()), data);

    // Each form of a static file has its own ETag, and revalidates against it.
    const css = await get("/styles.css", { "accept-encoding": "gzip" });
    assert.equal(css.headers.get("content-encoding"), "gzip");
    const css2 = await get("/styles.css", {});
    const [gzipTag, identityTag] = [css.headers.get("etag"), css2.headers.get("etag")];
    assert.ok(gzipTag && identityTag && gzipTag !== identityTag);
    assert.match(
      new TextDecoder().decode(gunzipSync(new Uint8Array(await css.arrayBuffer()))),
      /\{/,
    );
    await css2.body?.cancel();
    const again = await get("/styles.css", { "accept-encoding": "gzip", "if-none-match": gzipTag });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get("content-encoding"), "gzip");
  } finally {
    await t.close();
  }
});

Deno.test("client errors: valid reports are logged, bad ones rejected", async () => {
  const { t, app } = await setup();
  try {
    const post = (body: unknown) =>
      app.request("/api/v1/client-errors", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const ok = await post({ kind: "error", message: "x is undefined", url: "http://h/" });
    assert.equal(ok.status, 204);
    assert.ok(t.logger.lines.some((l) => l.msg === "Client error reported"));
    const bad = await post({ kind: "nope", message: "" });
    assert.equal(bad.status, 422);
    assert.equal((await bad.json()).error.code, "validation_failed");
  } finally {
    await t.close();
  }
});

Deno.test("routes dir: page routes are found by the file router", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(ROUTES_DIR)) files.push(e.name);
  for (
    const f of ["index.tsx", "predict.tsx", "model.tsx", "value-bets.tsx", "_app.tsx", "_404.tsx"]
  ) {
    assert.ok(files.includes(f), `routes/${f} exists`);
  }
});
