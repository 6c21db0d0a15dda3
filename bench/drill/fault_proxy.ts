/**
 * A small TCP fault proxy in the manner of Toxiproxy: it listens on a loopback port, forwards
 * every connection to an upstream, and injects the faults a network does: added latency with
 * jitter, a bandwidth cap, every connection cut at once, and the link down (connections accepted
 * and dropped at once) for a while. Faults apply to both directions and change at run time,
 * so the drill can put it between service instances and Redis.
 * @module
 */

/** Options of {@link FaultProxy.start}. */
export interface FaultProxyOptions {
  upstreamHost?: string;
  upstreamPort: number;
  /** Port to listen on (127.0.0.1). @default 0 (a free one) */
  port?: number;
}

/** Faults in force; every field optional. */
export interface Faults {
  /** Added delay per chunk in each direction, in ms. @default 0 */
  latencyMs?: number;
  /** Extra random delay, uniform in [0, jitterMs). Order is kept. @default 0 */
  jitterMs?: number;
  /** Bytes per second per connection and direction; 0 = unlimited. @default 0 */
  bytesPerSecond?: number;
}

interface Link {
  client: Deno.TcpConn;
  upstream: Deno.TcpConn;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}

/** A running proxy. */
export class FaultProxy {
  readonly port: number;
  readonly #listener: Deno.TcpListener;
  readonly #upstream: { hostname: string; port: number };
  readonly #links = new Set<Link>();
  #faults: Required<Faults> = { latencyMs: 0, jitterMs: 0, bytesPerSecond: 0 };
  #down = false;
  #downTimer: ReturnType<typeof setTimeout> | undefined;
  #accepting: Promise<void>;
  /** Connections accepted, cut by a fault, refused while down. */
  readonly counts = { accepted: 0, cut: 0, refused: 0 };

  private constructor(listener: Deno.TcpListener, upstream: { hostname: string; port: number }) {
    this.#listener = listener;
    this.#upstream = upstream;
    this.port = (listener.addr as Deno.NetAddr).port;
    this.#accepting = this.#accept();
  }

  /** Starts listening on 127.0.0.1. */
  static start(options: FaultProxyOptions): FaultProxy {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: options.port ?? 0 });
    return new FaultProxy(listener, {
      hostname: options.upstreamHost ?? "127.0.0.1",
      port: options.upstreamPort,
    });
  }

  /** Replaces the faults in force (unset fields go back to none). */
  set(faults: Faults): void {
    this.#faults = { latencyMs: 0, jitterMs: 0, bytesPerSecond: 0, ...faults };
  }

  /** Cuts every open connection (both sides closed at once, mid-stream). */
  cutAll(): void {
    for (const link of this.#links) this.#cut(link);
  }

  /** Takes the link down (open connections cut, new ones dropped) or brings it back up. */
  setDown(down: boolean): void {
    clearTimeout(this.#downTimer);
    this.#down = down;
    if (down) this.cutAll();
  }

  /** Takes the link down for `ms`, then brings it back up. */
  downFor(ms: number): void {
    this.setDown(true);
    this.#downTimer = setTimeout(() => this.#down = false, ms);
  }

  /** Open connections. */
  get open(): number {
    return this.#links.size;
  }

  async close(): Promise<void> {
    clearTimeout(this.#downTimer);
    this.#listener.close();
    this.cutAll();
    await this.#accepting;
  }

  #cut(link: Link): void {
    if (!this.#links.delete(link)) return;
    this.counts.cut++;
    closeQuietly(link.client);
    closeQuietly(link.upstream);
  }

  async #accept(): Promise<void> {
    for (;;) {
      let client: Deno.TcpConn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      if (this.#down) {
        this.counts.refused++;
        closeQuietly(client);
        continue;
      }
      this.counts.accepted++;
      this.#connect(client);
    }
  }

  async #connect(client: Deno.TcpConn): Promise<void> {
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect(this.#upstream);
    } catch {
      closeQuietly(client);
      return;
    }
    const link = { client, upstream };
    this.#links.add(link);
    await Promise.all([this.#pipe(client, upstream), this.#pipe(upstream, client)]);
    this.#links.delete(link);
    closeQuietly(client);
    closeQuietly(upstream);
  }

  /**
   * Copies `from` to `to`: a reader queues each chunk with the time it may leave (latency and
   * jitter, never before the chunk ahead of it), a writer sends it then, paced by the cap.
   */
  async #pipe(from: Deno.TcpConn, to: Deno.TcpConn): Promise<void> {
    const queue: { data: Uint8Array; due: number }[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    let lastDue = 0;
    const reader = (async () => {
      const buf = new Uint8Array(32 * 1024);
      for (;;) {
        const n = await from.read(buf).catch(() => null);
        if (n === null) break;
        const f = this.#faults;
        const delay = f.latencyMs + (f.jitterMs > 0 ? Math.random() * f.jitterMs : 0);
        lastDue = Math.max(lastDue, performance.now() + delay);
        queue.push({ data: buf.slice(0, n), due: lastDue });
        wake?.();
      }
      ended = true;
      wake?.();
    })();
    const writer = (async () => {
      for (;;) {
        const item = queue.shift();
        if (!item) {
          if (ended) break;
          await new Promise<void>((r) => wake = r);
          continue;
        }
        const wait = item.due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!await this.#write(to, item.data)) break;
      }
      // The other side closes when this direction ends: half-closed TCP is not worth modelling.
      closeQuietly(to);
      closeQuietly(from);
    })();
    await Promise.all([reader, writer]);
  }

  /** Writes `data`, in slices paced to the bandwidth cap; false when the peer is gone. */
  async #write(to: Deno.TcpConn, data: Uint8Array): Promise<boolean> {
    let off = 0;
    while (off < data.length) {
      const cap = this.#faults.bytesPerSecond;
      // Slices of at most 1/20 s of the cap, so pacing stays smooth.
      const size = cap > 0
        ? Math.max(1, Math.min(data.length - off, Math.floor(cap / 20)))
        : data.length - off;
      try {
        off += await to.write(data.subarray(off, off + size));
      } catch {
        return false;
      }
      if (cap > 0) await new Promise((r) => setTimeout(r, (size / cap) * 1000));
    }
    return true;
  }
}
