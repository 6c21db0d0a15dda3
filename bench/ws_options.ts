/**
 * Command-line options of `deno task bench ws`.
 * @module
 */

/** Options of the WebSocket fan-out benchmark. */
export interface BenchOptions {
  sizes: number[];
  broadcasts: number;
  intervalMs: number;
  sustainClients: number;
  rate: number;
  durationS: number;
  /** Variants of the sustained run (`summary`, `full`: all on matches; `mixed` topics). */
  sustain: string[];
  /** Replace the "WebSocket" section of docs/BENCHMARKS.md. @default {false} */
  write: boolean;
  /** Sizes also measured on a bare `Deno.upgradeWebSocket` server (the runtime's floor). */
  floor: number[];
  /**
   * How the hub's server listens, each measured at every size: `guarded` (node:http with the
   * size-limited upgrade, the production default) and/or `deno` (`Deno.serve`). The sustained
   * runs use the first. @default ["guarded", "deno"]
   */
  servers: WsServerMode[];
}

/** The `WS_SERVER` modes the benchmark can start the hub's server in. */
export type WsServerMode = "guarded" | "deno";

/**
 * Reads the options of `deno task bench ws` (see bench/ws.ts). docs/BENCHMARKS.md is committed,
 * so the figures go into it only when `--write` asks.
 */
export function wsBenchOptions(args: string[]): BenchOptions {
  const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const num = (name: string, def: number) => {
    const v = get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`Invalid --${name}: "${v}"`);
    return n;
  };
  const sizes = (get("sizes") ?? "1000,5000,10000").split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0 || n > 18_000)) {
    throw new Error(`Invalid --sizes: each must be an integer from 1 to 18000`);
  }
  const floorArg = get("floor");
  const floor = floorArg === "none"
    ? []
    : floorArg
    ? floorArg.split(",").map(Number)
    : [Math.max(...sizes)];
  return {
    sizes,
    floor,
    broadcasts: num("broadcasts", 20),
    intervalMs: num("interval-ms", 500),
    sustainClients: num("sustain-clients", 1000),
    rate: num("rate", 200),
    durationS: num("duration-s", 30),
    sustain: args.includes("--no-sustain")
      ? []
      : (get("sustain-messages") ?? "summary,full,mixed").split(",").map((v) => {
        if (!["summary", "full", "mixed"].includes(v)) {
          throw new Error(`Invalid --sustain-messages: "${v}"`);
        }
        return v;
      }),
    write: args.includes("--write"),
    servers: (get("server") ?? "guarded,deno").split(",").map((v) => {
      if (v !== "guarded" && v !== "deno") throw new Error(`Invalid --server: "${v}"`);
      return v;
    }),
  };
}
