import assert from "node:assert/strict";
import { probe, UnreachableError } from "./probe.ts";

Deno.test("probe: a host that accepts but never answers fails at the deadline", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  try {
    await assert.rejects(
      probe(`http://127.0.0.1:${port}/health`, { timeoutMs: 200 }),
      (e: unknown) => {
        assert.ok(e instanceof UnreachableError);
        assert.equal(e.message, `Cannot reach http://127.0.0.1:${port}: no answer within 0.2 s`);
        assert.equal(e.origin, `http://127.0.0.1:${port}`);
        return true;
      },
    );
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of accepted) conn.close();
  }
});

Deno.test("probe: an unknown host and a refused port read as such", async () => {
  await assert.rejects(probe("http://sabiscore.invalid/health"), /: host not found$/);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await assert.rejects(probe(`http://127.0.0.1:${port}/`), /: connection refused$/);
});
