import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { writeSyntheticLeague } from "../../training/onnx/synthetic_league.ts";
import { HttpError } from "../http/errors.ts";
import { createModelRegistry, type ModelRegistryOptions } from "./registry.ts";

const LEAGUES = ["england-premier-league", "spain-laliga", "germany-bundesliga"];

async function modelsDir(leagues = LEAGUES): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "sabiscore_models_" });
  for (const league of leagues) await writeSyntheticLeague(dir, { league });
  return dir;
}

/** Real sessions, counted, with their releases recorded. */
function countingSessions() {
  const created: ort.InferenceSession[] = [];
  const released = new Set<ort.InferenceSession>();
  const createSession = async (bytes: Uint8Array) => {
    const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const release = s.release.bind(s);
    s.release = () => {
      released.add(s);
      return release();
    };
    created.push(s);
    return s;
  };
  return { created, released, createSession };
}

async function withRegistry(
  dir: string,
  options: Partial<ModelRegistryOptions>,
  fn: (r: ReturnType<typeof createModelRegistry>) => Promise<void>,
) {
  const registry = createModelRegistry({ dir, ...options });
  try {
    await fn(registry);
  } finally {
    await registry.close();
  }
}

async function flipByte(path: string): Promise<void> {
  const bytes = await Deno.readFile(path);
  bytes[bytes.length >> 1] ^= 0xff;
  await Deno.writeFile(path, bytes);
}

Deno.test("createModelRegistry: finds and serves verified models", async () => {
  const dir = await modelsDir();
  const logs: string[] = [];
  try {
    await withRegistry(
      dir,
      { logger: (level, msg, f) => logs.push(`${level} ${msg} ${f?.league ?? ""}`) },
      async (registry) => {
        assert.equal(registry.status().ready, false);
        const report = await registry.init();
        assert.deepEqual(report.available, [...LEAGUES].sort());
        assert.deepEqual(report.refused, []);
        assert.equal(registry.status().ready, true);
        assert.equal(registry.size(), 0);
        const model = await registry.get("spain-laliga");
        assert.equal(model.card.league, "spain-laliga");
        assert.ok(model.classifiers.blend);
        const out = await model.scoreMatrix.run({
          rates: new ort.Tensor("float64", Float64Array.from([1.4, 1.1]), [1, 2]),
          rho: new ort.Tensor("float64", Float64Array.from([-0.05]), [1, 1]),
        });
        assert.deepEqual(out.matrix.dims, [1, 11, 11]);
        assert.deepEqual(registry.status().loaded, ["spain-laliga"]);
        assert.ok(logs.includes("info Model available spain-laliga"));
        await assert.rejects(
          registry.get("italy-serie-a"),
          (e) =>
            e instanceof HttpError && e.status === 503 &&
            /No model for "italy-serie-a"/.test(e.message),
        );
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createModelRegistry: evicts the least recently used league and releases it", async () => {
  const dir = await modelsDir();
  const sessions = countingSessions();
  try {
    await withRegistry(dir, { maxCached: 2, createSession: sessions.createSession }, async (r) => {
      await r.init();
      const [a, b, c] = LEAGUES;
      const modelA = await r.get(a);
      const modelB = await r.get(b);
      await r.get(a); // a becomes most recent: b is now the eviction candidate
      assert.deepEqual(r.status().loaded, [b, a]);
      await r.get(c);
      assert.deepEqual(r.status().loaded, [a, c]);
      assert.equal(r.size(), 2);
      assert.ok(sessions.released.has(modelB.scoreMatrix));
      assert.ok(sessions.released.has(modelB.classifiers.fundamental));
      assert.ok(!sessions.released.has(modelA.scoreMatrix));
      assert.equal(sessions.created.length, 9);
      await r.get(b); // reloads, evicting a
      assert.deepEqual(r.status().loaded, [c, b]);
      assert.equal(sessions.created.length, 12);
      assert.ok(sessions.released.has(modelA.scoreMatrix));
    });
    assert.equal(sessions.released.size, sessions.created.length, "close releases the rest");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createModelRegistry: concurrent gets of a cold league load it once", async () => {
  const dir = await modelsDir(["england-premier-league"]);
  const sessions = countingSessions();
  try {
    await withRegistry(dir, { createSession: sessions.createSession }, async (r) => {
      await r.init();
      const models = await Promise.all(
        Array.from({ length: 8 }, () => r.get("england-premier-league")),
      );
      assert.equal(sessions.created.length, 3); // score matrix + fundamental + blend
      for (const m of models) assert.equal(m, models[0]);
      const viaUse = await r.use("england-premier-league", (m) => m);
      assert.equal(viaUse, models[0]);
      assert.equal(sessions.created.length, 3);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createModelRegistry: a pinned model is released only after its use ends", async () => {
  const dir = await modelsDir();
  const sessions = countingSessions();
  try {
    await withRegistry(dir, { maxCached: 1, createSession: sessions.createSession }, async (r) => {
      await r.init();
      const [a, b] = LEAGUES;
      await r.use(a, async (model) => {
        await r.get(b); // evicts a while it is pinned
        assert.deepEqual(r.status().loaded, [b]);
        assert.ok(!sessions.released.has(model.scoreMatrix));
        const out = await model.classifiers.fundamental.run({
          features: new ort.Tensor("float64", new Float64Array(8), [1, 8]),
        });
        assert.equal(out.probabilities.dims[1], 3);
      });
      assert.equal(sessions.released.size, 3);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createModelRegistry: refuses a league whose artefact fails its checksum", async () => {
  const dir = await modelsDir(["england-premier-league", "spain-laliga"]);
  try {
    await flipByte(`${dir}/spain-laliga/fundamental.onnx`);
    await withRegistry(dir, { skipRemote: true, baseUrl: "http://127.0.0.1:9" }, async (r) => {
      const report = await r.init();
      assert.deepEqual(report.available, ["england-premier-league"]);
      assert.deepEqual(report.refused, [
        { league: "spain-laliga", reason: 'checksum mismatch for "fundamental.onnx"' },
      ]);
      assert.deepEqual(r.status().refused, report.refused);
      await assert.rejects(
        r.get("spain-laliga"),
        (e) =>
          e instanceof HttpError && e.status === 503 &&
          e.message ===
            'Cannot load model "spain-laliga": checksum mismatch for "fundamental.onnx"',
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createModelRegistry: refuses a file corrupted after init when loading", async () => {
  const dir = await modelsDir(["england-premier-league"]);
  try {
    await withRegistry(dir, {}, async (r) => {
      await r.init();
      await flipByte(`${dir}/england-premier-league/blend.onnx`);
      await assert.rejects(r.get("england-premier-league"), /checksum mismatch for "blend.onnx"/);
      assert.deepEqual(r.status().available, []);
      assert.equal(r.size(), 0);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createModelRegistry: fetches a missing artefact from the model store", async (t) => {
  const store = await modelsDir(["england-premier-league"]);
  const dir = await modelsDir(["england-premier-league"]);
  const requests: string[] = [];
  let corrupt = false;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    requests.push(path);
    try {
      const bytes = await Deno.readFile(`${store}${path}`);
      if (corrupt) bytes[10] ^= 1;
      return new Response(bytes);
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const baseUrl = `http://127.0.0.1:${server.addr.port}/`;
  const file = `${dir}/england-premier-league/score_matrix.onnx`;
  try {
    await t.step("a missing file is downloaded, verified and written", async () => {
      const original = await Deno.readFile(file);
      await Deno.remove(file);
      await withRegistry(dir, { baseUrl }, async (r) => {
        const report = await r.init();
        assert.deepEqual(report.fetched, ["england-premier-league/score_matrix.onnx"]);
        assert.deepEqual(report.available, ["england-premier-league"]);
        assert.deepEqual(requests, ["/england-premier-league/score_matrix.onnx"]);
        assert.deepEqual(await Deno.readFile(file), original);
        await r.get("england-premier-league");
      });
      const leftovers = [...Deno.readDirSync(`${dir}/england-premier-league`)]
        .filter((e) => e.name.endsWith(".tmp"));
      assert.deepEqual(leftovers, []);
    });
    await t.step("a corrupt download is refused and not written", async () => {
      await flipByte(file);
      corrupt = true;
      await withRegistry(dir, { baseUrl }, async (r) => {
        const report = await r.init();
        assert.deepEqual(report.available, []);
        assert.match(
          report.refused[0].reason,
          /checksum mismatch for "score_matrix.onnx"; the fetched copy has a checksum mismatch/,
        );
      });
    });
    await t.step("a 404 from the store is refused with the status", async () => {
      await Deno.remove(`${store}/england-premier-league/score_matrix.onnx`);
      await withRegistry(dir, { baseUrl }, async (r) => {
        const report = await r.init();
        assert.match(report.refused[0].reason, /fetching it failed: HTTP 404/);
      });
    });
    await t.step("skipRemote never contacts the store", async () => {
      requests.length = 0;
      await Deno.remove(file);
      await withRegistry(dir, { baseUrl, skipRemote: true }, async (r) => {
        const report = await r.init();
        assert.deepEqual(report.refused, [
          { league: "england-premier-league", reason: 'missing "score_matrix.onnx"' },
        ]);
      });
      assert.deepEqual(requests, []);
    });
  } finally {
    await server.shutdown();
    await Deno.remove(store, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createModelRegistry: strict mode throws without a valid model", async (t) => {
  const dir = await modelsDir(["england-premier-league"]);
  try {
    await t.step("no folder at all", async () => {
      const r = createModelRegistry({ dir: `${dir}/nowhere`, strict: true });
      await assert.rejects(r.init(), /No valid model in ".*nowhere"/);
      await r.close();
    });
    await t.step("only refused models, with the reasons", async () => {
      await flipByte(`${dir}/england-premier-league/fundamental.onnx`);
      const r = createModelRegistry({ dir, strict: true, skipRemote: true });
      await assert.rejects(
        r.init(),
        /england-premier-league: checksum mismatch for "fundamental.onnx"/,
      );
      assert.equal(r.status().ready, false);
      await r.close();
    });
    await t.step("not strict: init succeeds and reports", async () => {
      const r = createModelRegistry({ dir });
      const report = await r.init();
      assert.equal(report.available.length, 0);
      assert.equal(report.refused.length, 1);
      await r.close();
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createModelRegistry: refuses bad cards naming the field", async () => {
  const dir = await modelsDir(["england-premier-league", "spain-laliga", "germany-bundesliga"]);
  try {
    const cardPath = `${dir}/spain-laliga/model.json`;
    const card = JSON.parse(await Deno.readTextFile(cardPath));
    card.dixon_coles.rho = "low";
    await Deno.writeTextFile(cardPath, JSON.stringify(card));
    await Deno.writeTextFile(`${dir}/germany-bundesliga/model.json`, "{ not json");
    await Deno.mkdir(`${dir}/epl`);
    await Deno.copyFile(`${dir}/england-premier-league/model.json`, `${dir}/epl/model.json`);
    await withRegistry(dir, {}, async (r) => {
      const report = await r.init();
      assert.deepEqual(report.available, ["england-premier-league"]);
      const reasons = Object.fromEntries(report.refused.map((x) => [x.league, x.reason]));
      assert.match(reasons["spain-laliga"], /Invalid model card: "dixon_coles.rho"/);
      assert.match(reasons["germany-bundesliga"], /JSON/);
      assert.match(reasons["epl"], /does not match folder "epl"/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
