import assert from "node:assert/strict";

const MAIN = new URL("../main.ts", import.meta.url);

/** Reads JSON log lines until one has this `msg`. */
async function waitForLog(
  lines: AsyncIterator<string>,
  msg: string,
): Promise<Record<string, unknown>> {
  for (;;) {
    const next = await lines.next();
    if (next.done) throw new Error(`The server exited before logging "${msg}"`);
    try {
      const line = JSON.parse(next.value);
      if (line.msg === msg) return line;
    } catch { /* not a log line */ }
  }
}

async function* splitLines(stream: ReadableStream<string>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

Deno.test("main: on SIGTERM /health/ready answers 503 through the drain window, then the process exits", async () => {
  // Long enough that a slow machine logs "Draining" (stdout is batched up to 50 ms) and answers
  // both checks inside the window, which is the claim under test.
  const drainMs = 2000;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", MAIN.pathname],
    env: {
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      KV_PATH: ":memory:",
      PREDICTION_ENGINE: "memory",
      DEMO_BOOKMAKER: "false",
      MEMORY_TRIM_INTERVAL_SECONDS: "0",
      SHUTDOWN_DRAIN_MS: String(drainMs),
      LOG_LEVEL: "info",
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = splitLines(child.stdout.pipeThrough(new TextDecoderStream()));
  try {
    const listening = await waitForLog(lines, "Listening");
    const base = String(listening.url).replace(/\/$/, "");
    const before = await fetch(`${base}/health/ready`);
    assert.equal(before.status, 200);
    await before.body?.cancel();

    const ws = new WebSocket(`${base.replace("http:", "ws:")}/ws`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const wsClosed = new Promise<{ code: number; at: number }>((resolve) => {
      ws.onclose = (e) => resolve({ code: e.code, at: performance.now() });
    });

    const signalled = performance.now();
    child.kill("SIGTERM");
    await waitForLog(lines, "Draining");
    const ready = await fetch(`${base}/health/ready`);
    assert.equal(ready.status, 503, "readiness reports the drain");
    await ready.body?.cancel();
    const live = await fetch(`${base}/health/live`);
    assert.equal(live.status, 200, "other requests are still served");
    await live.body?.cancel();
    assert.ok(performance.now() - signalled < drainMs, "both answered inside the window");

    const closed = await wsClosed;
    assert.equal(closed.code, 1001, "WebSockets are told the server is going away");
    assert.ok(closed.at - signalled >= drainMs, "after the window");
    const status = await child.status;
    const elapsed = performance.now() - signalled;
    assert.equal(status.code, 0);
    assert.ok(elapsed >= drainMs, `served for the whole window (${Math.round(elapsed)} ms)`);
    assert.ok(
      elapsed < drainMs + 5_000,
      `exited soon after the window (${Math.round(elapsed)} ms)`,
    );
    await assert.rejects(fetch(`${base}/health/live`), "the listener is closed");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.status;
    for await (const _ of lines) { /* drain stdout */ }
  }
});
