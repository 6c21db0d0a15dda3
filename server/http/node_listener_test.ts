import assert from "node:assert/strict";
import { connect } from "node:net";
import { NodeListener } from "./node_listener.ts";

const noUpgrade = (_req: unknown, socket: { destroy(): void }) => socket.destroy();

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("NodeListener: a client that leaves while its socket buffer is full ends its answer", async () => {
  let pulls = 0;
  let cancelled = false;
  const chunk = new Uint8Array(256 * 1024);
  const listener = new NodeListener(
    () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulls++;
            controller.enqueue(chunk);
          },
          cancel() {
            cancelled = true;
          },
        }, { highWaterMark: 0 }),
      ),
    { port: 0, hostname: "127.0.0.1", upgrade: noUpgrade as never },
  );
  const port = await listener.listening;
  const client = connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => client.once("connect", () => resolve()));
  client.pause(); // never reads: the server's writes back up until it waits for "drain"
  client.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n");
  await until(() => listener.answering === 1 && pulls > 2, "the answer to start streaming");
  let last = -1;
  await until(() => {
    const stalled = pulls === last;
    last = pulls;
    return stalled;
  }, "the writes to back up");
  client.destroy();
  await until(() => listener.answering === 0, "the answer to end after the client left");
  assert.ok(cancelled, "the body stream is cancelled");
  await listener.shutdown();
});
