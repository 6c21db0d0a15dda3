/**
 * The fleet's broadcast, called by `deno task bench fleet` (or alone: `deno run -A
 * bench/fleet_broadcast.ts [--clients N] [--broadcasts N] [--interval-ms N] [--url redis://...]`):
 * one event to 10,000 WebSocket clients on one instance (the local broker), against the same
 * event to 10,000 clients split over 2 instances on one Redis (the fleet broker: one instance
 * publishes, both fan out). Latency is from the publish time in the message to its receipt by
 * each client (all on this machine's clock); lost = deliveries expected minus received.
 * @module
 */
import { collect, merge, percentile, type Proc, quantile, reset, spawn, stop } from "./ws.ts";
import { SERVER_V8_FLAGS } from "./ws.ts";
import { command } from "./ws_lines.ts";

/** One measured broadcast set-up. */
export interface BroadcastFigure {
  setup: string;
  instances: number;
  clients: number;
  broadcasts: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  p50_ms: number;
  p99_ms: number;
  /** Per event, the latency of its last receipt (the whole fan-out's time). */
  last_p99_ms: number;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function measure(
  setup: string,
  instances: number,
  o: { clients: number; broadcasts: number; intervalMs: number; url: string },
): Promise<BroadcastFigure> {
  const prefix = `bench:fleet-broadcast:${crypto.randomUUID().slice(0, 8)}:`;
  const fleetArgs = instances > 1 ? [`--fleet-url=${o.url}`, `--fleet-prefix=${prefix}`] : [];
  const servers: Proc[] = [];
  const workers: Proc[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      servers.push(spawn("ws_server.ts", fleetArgs, [...SERVER_V8_FLAGS, "--expose-gc"]));
    }
    const ports = await Promise.all(servers.map((s) => s.lines.next<{ port: number }>("ready")));
    // Two client processes in both set-ups (one per instance in the fleet), 5,000 sockets each.
    for (let w = 0; w < 2; w++) {
      const port = ports[w % instances].port;
      workers.push(spawn("ws_clients.ts", [`--port=${port}`, `--count=${o.clients / 2}`]));
    }
    const readies = await Promise.all(
      workers.map((w) => w.lines.next<{ connected: number }>("ready", 300_000)),
    );
    const connected = readies.reduce((a, r) => a + r.connected, 0);
    if (connected !== o.clients) throw new Error(`Only ${connected} of ${o.clients} connected`);
    const publisher = servers[0];
    // Warm-up, then the measured broadcasts (published on the first instance only).
    await command(publisher.writer, { type: "cmd", cmd: "broadcast", count: 2, intervalMs: 200 });
    await publisher.lines.next("broadcast_done", 60_000);
    await collect(workers, o.clients * 2, 15_000);
    await reset(workers);
    await command(publisher.writer, {
      type: "cmd",
      cmd: "broadcast",
      count: o.broadcasts,
      intervalMs: o.intervalMs,
    });
    await publisher.lines.next("broadcast_done", 600_000);
    const expected = o.clients * o.broadcasts;
    const m = merge(await collect(workers, expected, 20_000));
    return {
      setup,
      instances,
      clients: o.clients,
      broadcasts: o.broadcasts,
      expected,
      received: m.received,
      lost: expected - m.received,
      duplicates: m.duplicates,
      p50_ms: percentile(m.hist, 0.5),
      p99_ms: percentile(m.hist, 0.99),
      last_p99_ms: quantile([...m.last.values()], 0.99),
    };
  } finally {
    await Promise.all(workers.map(stop));
    await Promise.all(servers.map(stop));
  }
}

/** Measures both set-ups in one run and prints a line each. */
export async function benchFleetBroadcast(args: string[]): Promise<BroadcastFigure[]> {
  const o = {
    clients: Number(option(args, "--clients") ?? 10_000),
    broadcasts: Number(option(args, "--broadcasts") ?? 20),
    intervalMs: Number(option(args, "--interval-ms") ?? 500),
    url: option(args, "--url") ?? "redis://127.0.0.1:6379",
  };
  const figures: BroadcastFigure[] = [];
  for (const [setup, instances] of [["one instance", 1], ["2 instances + Redis", 2]] as const) {
    const f = await measure(setup, instances, o);
    figures.push(f);
    console.log(
      `broadcast ${setup.padEnd(20)} ${f.clients} clients x ${f.broadcasts}: p50 ${f.p50_ms} ms,` +
        ` p99 ${f.p99_ms} ms, last-receipt p99 ${f.last_p99_ms} ms, lost ${f.lost},` +
        ` duplicates ${f.duplicates}`,
    );
  }
  return figures;
}

if (import.meta.main) await benchFleetBroadcast(Deno.args);
