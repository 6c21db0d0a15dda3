/**
 * What `--fleet` needs from the service: the fleet environment contract (`REDIS_URL`,
 * `REDIS_KEY_PREFIX`, `INSTANCE_ID` read by the config) and the service actually sharing its
 * state through Redis. Until all of it is there the fleet drill refuses to run rather than
 * pass without testing anything.
 * @module
 */
import { CONFIG_VARIABLES } from "../../server/ops/config.ts";

const ROOT = new URL("../../", import.meta.url);

/** The fleet contract's environment variables. */
export const FLEET_VARIABLES = ["REDIS_URL", "REDIS_KEY_PREFIX", "INSTANCE_ID"] as const;

/**
 * What is missing for the fleet drill, given the config's variables and the sources of the entry
 * point and of the live wiring: the fleet variables, Redis opened at start, and live events
 * published through a broker shared by the instances (a viewer that moves to another instance
 * can only replay what that instance's log holds).
 */
export function missingFleetSupport(
  variables: readonly string[],
  mainSource: string,
  liveSource: string,
): string[] {
  const missing: string[] = FLEET_VARIABLES.filter((v) => !variables.includes(v))
    .map((v) => `the config does not read ${v}`);
  if (!/fleet\/|FleetRedis/.test(mainSource)) {
    missing.push("server/main.ts does not open Redis in fleet mode");
  }
  if (!/FleetBroker|create(?!Local)\w*Broker|new \w*Broker/.test(liveSource)) {
    missing.push(
      "server/live/live_services.ts publishes through the in-process broker only (no shared " +
        "event stream: events, replay and epochs are per instance)",
    );
  }
  return missing;
}

/** {@link missingFleetSupport} of this checkout. */
export async function fleetSupportHere(): Promise<string[]> {
  const read = (path: string) => Deno.readTextFile(new URL(path, ROOT));
  return missingFleetSupport(
    CONFIG_VARIABLES,
    await read("server/main.ts"),
    await read("server/live/live_services.ts"),
  );
}
