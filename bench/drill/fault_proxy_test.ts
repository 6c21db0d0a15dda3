import assert from "node:assert/strict";
import { FaultProxy } from "./fault_proxy.ts";
import { redisReachable } from "../../server/fleet/test_redis.ts";

/** An echo server on a free loopback port. */
function echoServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.TcpConn>();
  const done = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      (async () => {
        const buf = new Uint8Array(64 * 1024);
        for (;;) {
          const n = await conn.read(buf).catch(() => null);
          if (n === null) break;
          await conn.write(buf.subarray(0, n)).catch(() => 0);
        }
        conns.delete(conn);
        try {
          conn.close();
        } catch { /* closed */ }
      })();
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await done.catch(() => {});
    },
  };
}

async function writeAll(conn: Deno.TcpConn, data: Uint8Array) {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/** Reads exactly `n` bytes, or what came before the connection ended. */
async function readN(conn: Deno.TcpConn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let off = 0;
  while (off < n) {
    const got = await conn.read(out.subarray(off)).catch(() => null);
    if (got === null) break;
    off += got;
  }
  return out.subarray(0, off);
}

async function withProxy(fn: (proxy: FaultProxy) => Promise<void>) {
  const echo = echoServer();
  const proxy = FaultProxy.start({ upstreamPort: echo.port });
  try {
    await fn(proxy);
  } finally {
    await proxy.close();
    await echo.close();
  }
}

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

Deno.test("FaultProxy: forwards bytes both ways unchanged", async () => {
  await withProxy(async (proxy) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
    const sent = bytes(200_000);
    const [, got] = await Promise.all([writeAll(conn, sent), readN(conn, sent.length)]);
    assert.deepEqual(got, sent);
    assert.equal(proxy.counts.accepted, 1);
    conn.close();
  });
});

Deno.test("FaultProxy: added latency delays each direction and keeps order under jitter", async () => {
  await withProxy(async (proxy) => {
    proxy.set({ latencyMs: 150, jitterMs: 50 });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
    const t = performance.now();
    const sent = bytes(1000);
    for (let i = 0; i < 10; i++) await writeAll(conn, sent.subarray(i * 100, (i + 1) * 100));
    const got = await readN(conn, sent.length);
    const elapsed = performance.now() - t;
    assert.deepEqual(got, sent, "chunks arrive in order");
    // There and back: at least twice the fixed delay (a lower bound, whatever the machine's load;
    // 10 ms under it, as a timer may fire a fraction of a millisecond before its delay, while
    // one-way latency, 150 ms, still fails).
    assert.ok(elapsed >= 290, `round trip took ${elapsed.toFixed(0)} ms`);
    conn.close();
  });
});

Deno.test("FaultProxy: the bandwidth cap paces a transfer", async () => {
  await withProxy(async (proxy) => {
    proxy.set({ bytesPerSecond: 100_000 });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
    const sent = bytes(50_000);
    const t = performance.now();
    const [, got] = await Promise.all([writeAll(conn, sent), readN(conn, sent.length)]);
    const elapsed = performance.now() - t;
    assert.deepEqual(got, sent);
    // 50 KB at 100 KB/s: about half a second each way, pipelined; never faster than 0.4 s.
    assert.ok(elapsed >= 400, `50 KB took ${elapsed.toFixed(0)} ms at 100 KB/s`);
    conn.close();
  });
});

Deno.test("FaultProxy: cutAll ends open connections", async () => {
  await withProxy(async (proxy) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
    await writeAll(conn, bytes(10));
    assert.equal((await readN(conn, 10)).length, 10);
    proxy.cutAll();
    assert.equal((await readN(conn, 1)).length, 0, "the client sees its connection end");
    assert.equal(proxy.counts.cut, 1);
    conn.close();
  });
});

Deno.test("FaultProxy: a link that is down drops new connections until it is up again", async () => {
  await withProxy(async (proxy) => {
    proxy.setDown(true);
    const refused = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
    await writeAll(refused, bytes(10)).catch(() => {});
    assert.equal((await readN(refused, 10)).length, 0, "nothing comes back while down");
    refused.close();
    assert.equal(proxy.counts.refused, 1);
    proxy.setDown(false);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
    await writeAll(conn, bytes(10));
    assert.deepEqual(await readN(conn, 10), bytes(10));
    conn.close();
  });
});

Deno.test({
  name: "FaultProxy: Redis answers PING and ECHO through it, and slower with latency",
  ignore: !await redisReachable(),
  fn: async () => {
    const proxy = FaultProxy.start({ upstreamPort: 6379 });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
    const ask = async (command: string, reply: string) => {
      const t = performance.now();
      await writeAll(conn, new TextEncoder().encode(command));
      const got = new TextDecoder().decode(await readN(conn, reply.length));
      assert.equal(got, reply);
      return performance.now() - t;
    };
    try {
      await ask("PING\r\n", "+PONG\r\n");
      await ask("*2\r\n$4\r\nECHO\r\n$5\r\ndrill\r\n", "$5\r\ndrill\r\n");
      proxy.set({ latencyMs: 100 });
      const slow = await ask("PING\r\n", "+PONG\r\n");
      // 10 ms under twice the delay: a timer may fire a fraction of a millisecond early.
      assert.ok(slow >= 190, `PING took ${slow.toFixed(0)} ms with 100 ms each way`);
    } finally {
      conn.close();
      await proxy.close();
    }
  },
});
