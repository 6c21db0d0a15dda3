import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import { serveWebAssets } from "./static_files.ts";
import { createApp } from "../http/app.ts";
import { createTestApp, loadRouteFiles, SERVICE_ROUTE_FILES } from "../testing/test_app.ts";
import config from "../../fresh.config.ts";
import { buildClient } from "./build.ts";
import { createWebLayer } from "./web_layer.ts";

const build = await buildClient(config);

/** Sends `target` as the request line's target, byte for byte (fetch would normalise it). */
async function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const request = `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n` +
      `Connection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(request));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(16_384);
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      chunks.push(buf.slice(0, n));
    }
    const text = new TextDecoder().decode(
      new Uint8Array(chunks.flatMap((c) => [...c])),
    );
    const status = Number(text.match(/^HTTP\/1\.1 (\d{3})/)?.[1]);
    return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
  } finally {
    conn.close();
  }
}

// Files outside static/ that a traversal would reach, and a line of each.
const OUTSIDE = ["deno.json", "server/main.ts"];
const MARKERS = [/"nodeModulesDir"/, /import/, /root:x:0:0/];

Deno.test({
  name: "static files: traversal is refused over real HTTP, encoded variants included",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await createTestApp();
    const web = await createWebLayer({ build });
    const routes = await loadRouteFiles(SERVICE_ROUTE_FILES);
    const app = await createApp(t.services, { routes, web });
    const abort = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen: () => {} },
      app.fetch,
    );
    const port = server.addr.port;
    try {
      const ok = await rawGet(port, "/styles.css");
      assert.equal(ok.status, 200, "the probe reaches static files");
      const bundle = `/_fresh/${build.buildId}`;
      const targets = OUTSIDE.flatMap((file) => [
        `/../${file}`,
        `/../../${file}`,
        `/%2e%2e/${file}`,
        `/%2E%2E/${file}`,
        `/%2e%2e%2f${file}`,
        `/..%2f${file}`,
        `/..%2F${file}`,
        `/.%2e/${file}`,
        `/%252e%252e%252f${file}`,
        `/%252e%252e/${file}`,
        `/..\\${file}`,
        `/..%5c${file}`,
        `/%5c..%5c${file}`,
        `/%c0%ae%c0%ae/${file}`,
        `/static/../${file}`,
        `/styles.css/../../${file}`,
        `${bundle}/../../${file}`,
        `${bundle}/..%2f..%2f${file}`,
        `/${file}%00.css`,
        `/%00/../${file}`,
      ]).concat([
        "/styles.css%00",
        "/styles.css%00.js",
        "/%2fetc%2fpasswd",
        "//etc/passwd",
        "/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
      ]);
      for (const target of targets) {
        const res = await rawGet(port, target);
        assert.ok(
          res.status === 404 || res.status === 400,
          `${target}: answered ${res.status}, not 404 or 400`,
        );
        for (const marker of MARKERS) {
          assert.doesNotMatch(res.body, marker, `${target}: no file outside static/`);
        }
        // Our error shape, unless Deno's HTTP parser refused the request line itself.
        if (res.body.startsWith("{")) {
          const body = JSON.parse(res.body);
          assert.equal(typeof body.error?.code, "string", target);
          assert.equal(typeof body.error?.request_id, "string", target);
        } else {
          assert.equal(res.status, 400, `${target}: a non-JSON answer is the parser's 400`);
        }
      }
    } finally {
      abort.abort();
      await server.finished;
      await t.close();
    }
  },
});

Deno.test("static files: outside dev only the files there at the start are served", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "sabiscore_static_" });
  try {
    await Deno.writeTextFile(`${dir}/a.css`, "a {}");
    const appOf = (dev: boolean) => {
      const app = new Hono<AppEnv>();
      app.use("*", serveWebAssets({ build, staticDir: dir, dev }));
      app.notFound((c) => c.text("Not found", 404));
      return app;
    };
    const status = async (app: Hono<AppEnv>, path: string) => {
      const res = await app.request(path);
      await res.body?.cancel();
      return res.status;
    };
    await t.step("production: a name missing at the start stays missing", async () => {
      const app = appOf(false);
      assert.equal(await status(app, "/a.css"), 200);
      // Each distinct missing name is answered from the listing, so none is remembered.
      for (let i = 0; i < 100; i++) assert.equal(await status(app, `/b${i}.css`), 404);
      await Deno.writeTextFile(`${dir}/later.css`, "b {}");
      assert.equal(await status(app, "/later.css"), 404);
      await Deno.remove(`${dir}/later.css`);
    });
    await t.step("dev: files added later are served", async () => {
      const app = appOf(true);
      assert.equal(await status(app, "/later.css"), 404);
      await Deno.writeTextFile(`${dir}/later.css`, "b {}");
      assert.equal(await status(app, "/later.css"), 200);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
