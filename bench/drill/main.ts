/**
 * `deno task drill [--minutes N] [--fleet] [--viewers N] [--rate N] [--json FILE] [--svg FILE]`:
 * drives the whole service on loopback (REST predictions, WebSocket viewers, live odds, value-bet
 * alerts) through a scripted timeline of faults, prints a report per phase, and exits 1 when an
 * invariant fails (2 on bad arguments or when `--fleet` cannot run here). Progress goes to
 * stderr, the report to stdout; `--json` and `--svg` write only the files they name.
 *
 * `--drop-every N` is a test-only switch: the viewers' accounting discards every Nth event it
 * receives, to show that the loss invariant catches a lost event.
 * @module
 */
import { runDrill } from "./drill.ts";
import { runFleetDrill } from "./fleet_drill.ts";
import { formatReport } from "./report.ts";
import { fleetSupportHere } from "./fleet_support.ts";
import { timelineSvg } from "./timeline_svg.ts";

/** Parsed command line. */
export interface DrillArgs {
  minutes: number;
  viewers: number;
  rate: number;
  fleet: boolean;
  json?: string;
  svg?: string;
  dropEveryNth: number;
}

/** Parses the command line; throws an Error naming the bad argument. */
export function parseDrillArgs(args: string[]): DrillArgs {
  const out: DrillArgs = { minutes: 5, viewers: 1000, rate: 40, fleet: false, dropEveryNth: 0 };
  const numeric = { "--minutes": "minutes", "--viewers": "viewers", "--rate": "rate" } as const;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`Missing a value after ${flag}`);
      return v;
    };
    if (flag in numeric) {
      const v = Number(value());
      if (!(v > 0)) throw new Error(`Expected a positive number after ${flag}`);
      out[numeric[flag as keyof typeof numeric]] = v;
    } else if (flag === "--drop-every") {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 1) {
        throw new Error("Expected a whole number >= 1 after --drop-every");
      }
      out.dropEveryNth = v;
    } else if (flag === "--fleet") out.fleet = true;
    else if (flag === "--json") out.json = value();
    else if (flag === "--svg") out.svg = value();
    else throw new Error(`Unknown argument "${args[i]}"`);
  }
  out.viewers = Math.floor(out.viewers);
  return out;
}

async function main(): Promise<number> {
  let args: DrillArgs;
  try {
    args = parseDrillArgs(Deno.args);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const log = (line: string) => console.error(`drill: ${line}`);
  if (args.fleet) {
    const missing = await fleetSupportHere();
    if (missing.length > 0) {
      console.error(
        `Cannot run the fleet drill: fleet mode is not wired in this checkout (${
          missing.join("; ")
        }). Run without --fleet for the embedded drill.`,
      );
      return 2;
    }
  }
  if (args.dropEveryNth > 0) {
    log(`TEST SWITCH: the viewers' accounting drops every ${args.dropEveryNth}th event`);
  }
  const result = await (args.fleet ? runFleetDrill : runDrill)({
    minutes: args.minutes,
    viewers: args.viewers,
    rate: args.rate,
    dropEveryNth: args.dropEveryNth,
    log,
  });
  console.log(formatReport(result.report));
  if (args.json) {
    await Deno.writeTextFile(args.json, JSON.stringify({ args, ...result.report }, null, 2) + "\n");
  }
  if (args.svg) await Deno.writeTextFile(args.svg, timelineSvg(result));
  return result.report.ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
