import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { createMemoryTrimmer, lastResortGc, loadGlibcTrim } from "./memory_trim.ts";

Deno.test("the glibc trimmer gives freed native memory back to the OS", async () => {
  const glibc = loadGlibcTrim();
  if (!glibc) {
    // Not glibc (e.g. macOS or musl): the trimmer must say so and do nothing.
    const t = createMemoryTrimmer({ intervalMs: 0 });
    assert.deepEqual(t.available, false);
    assert.deepEqual(t.trim(), null);
    t.close();
    return;
  }
  glibc.close();
  const trimmer = createMemoryTrimmer({ intervalMs: 0 });
  try {
    assert(trimmer.available);
    // 4,000 blocks of 16 KB from the native heap (below glibc's mmap threshold), then every
    // other one freed: the freed pages sit between live ones, where only a trim returns them.
    const blocks: Deno.PointerObject[] = [];
    const lib = Deno.dlopen("libc.so.6", {
      malloc: { parameters: ["usize"], result: "pointer" },
      free: { parameters: ["pointer"], result: "void" },
      memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
    });
    try {
      for (let i = 0; i < 4_000; i++) {
        const p = lib.symbols.malloc(16_384n);
        if (p === null) throw new Error("malloc failed");
        lib.symbols.memset(p, 1, 16_384n); // touch it, so it is resident
        blocks.push(p);
      }
      for (let i = 0; i < blocks.length; i += 2) lib.symbols.free(blocks[i]);
      await new Promise((r) => setTimeout(r, 10));
      const result = trimmer.trim();
      if (result === null) throw new Error("trim() returned null although available");
      // ~32 MB were freed between live blocks (3 whole pages in each); most must come back.
      assert(
        result.releasedBytes > 10 * 1024 * 1024,
        `released only ${result.releasedBytes} bytes`,
      );
    } finally {
      for (let i = 1; i < blocks.length; i += 2) lib.symbols.free(blocks[i]);
      lib.close();
    }
  } finally {
    trimmer.close();
  }
});

Deno.test("the trimmer reports each trim and stops on close", () => {
  let calls = 0;
  let rss = 100;
  const seen: number[] = [];
  const trimmer = createMemoryTrimmer({
    intervalMs: 0,
    load: () => () => {
      calls++;
      rss -= 40;
      return 1;
    },
    rss: () => rss,
    onTrim: (r) => seen.push(r.releasedBytes),
  });
  assert(trimmer.available);
  assert.deepEqual(trimmer.trim()?.releasedBytes, 40);
  assert.deepEqual(seen, [40]);
  trimmer.close();
  assert.deepEqual(trimmer.trim(), null);
  assert.deepEqual(calls, 1);
});

Deno.test("an unavailable trimmer is a no-op", () => {
  const trimmer = createMemoryTrimmer({ load: () => null, intervalMs: 10 });
  assert.deepEqual(trimmer.available, false);
  assert.deepEqual(trimmer.trim(), null);
  trimmer.close();
});

Deno.test("a burst is followed by an idle trim with a full collection, then a settled trim", () => {
  // A fake clock: on the real one a slow machine can stretch the 10 ms between requests past an
  // idle tick, and the trimmer rightly sees a quiet moment in the middle of a burst.
  const clock = FakeTimers.install({ toFake: ["setInterval", "clearInterval"] });
  const triggers: string[] = [];
  let collections = 0;
  let released = 0;
  let rssNow = 100_000;
  const trimmer = createMemoryTrimmer({
    intervalMs: 0,
    idleMs: 100,
    burstBytes: 10_000,
    load: () => () => 1,
    rss: () => rssNow,
    collectGarbage: () => {
      collections++;
      rssNow = 100_000;
    },
    coldPages: {
      available: true,
      release: () => ({ releasedKb: ++released, mappings: 1 }),
      close() {},
    },
    onTrim: (r) => triggers.push(`${r.trigger}:${r.filePagesBytes}`),
  });
  const requests = (n: number, growth: number) => {
    for (let i = 0; i < n; i++) {
      trimmer.noteActivity();
      rssNow += growth;
      clock.tick(10);
    }
  };
  try {
    // Quiet from the start: no burst, no trim.
    clock.tick(250);
    assert.deepEqual(triggers, []);
    // Requests over 300 ms keep it busy (one every 10 ms, ticks every 100 ms), but the RSS
    // grows by 3,000 bytes only: the quiet after them trims nothing.
    requests(30, 100);
    clock.tick(400);
    assert.deepEqual(triggers, []);
    assert.deepEqual(collections, 0);
    // A burst that grows the RSS by 30,000 bytes, then quiet.
    requests(30, 1_000);
    assert.deepEqual(triggers, []);
    clock.tick(400);
    assert.deepEqual(triggers, ["idle:1024", "idle_settled:2048"]);
    assert.deepEqual(collections, 1);
    // Staying quiet trims no more.
    clock.tick(250);
    assert.deepEqual(triggers.length, 2);
    // The baseline is the RSS after that trim: the next burst is measured from there.
    requests(20, 1_000);
    clock.tick(400);
    assert.deepEqual(triggers.slice(2), ["idle:3072", "idle_settled:4096"]);
  } finally {
    trimmer.close();
    clock.uninstall();
  }
});

Deno.test("lastResortGc is undefined without --expose-gc and calls gc with the last-resort flavor", () => {
  assert.equal(lastResortGc(undefined), undefined);
  const calls: unknown[] = [];
  const run = lastResortGc((options) => calls.push(options));
  assert(run);
  run();
  assert.deepEqual(calls, [{ type: "major", execution: "sync", flavor: "last-resort" }]);
});

Deno.test("a last-resort collection hands a burst's V8 pages back to the OS", async () => {
  // A child V8 with the start task's flags: 2 million short-lived objects grow the heap to
  // ~190 MB; after the collection the heap must be small again and the RSS far below its peak.
  const script = `
    import { lastResortGc } from ${
    JSON.stringify(new URL("./memory_trim.ts", import.meta.url).href)
  };
    let keep = [];
    for (let i = 0; i < 2e6; i++) keep.push({ a: i, b: "x" + i });
    const peak = Deno.memoryUsage().rss;
    keep = [];
    lastResortGc(globalThis.gc)();
    const after = Deno.memoryUsage();
    console.log(JSON.stringify({ peak, rss: after.rss, heapTotal: after.heapTotal }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--v8-flags=--expose-gc,--no-memory-pool,--max-semi-space-size=8",
      script,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert(out.success, stderr);
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  assert(r.peak > 150 * 2 ** 20, `the burst should grow the RSS past 150 MB: ${mb(r.peak)}`);
  assert(r.heapTotal < 16 * 2 ** 20, `V8 heap after the collection: ${mb(r.heapTotal)}`);
  assert(r.peak - r.rss > 100 * 2 ** 20, `RSS ${mb(r.peak)} -> ${mb(r.rss)}`);
});
