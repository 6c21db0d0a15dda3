/**
 * `deno task bench fleet --only value-bets`: the Redis commands the fleet's shared value bets
 * cost per changed match, counted by the client's command hook (not timed, so the figure does
 * not depend on the machine's load). A deterministic price walk of `--matches` (40) matches
 * priced by two sources, "Pinnacle" and "Slow", for `--walks` (30) passes, each pass moving every
 * match's price at both sources; the slow book's home price wanders across the value threshold,
 * so bets open, move and close. Two layouts:
 *
 * - one instance leading both sources;
 * - two instances, each leading one source (every match is priced by both leaders).
 *
 * It uses only what every revision of the live pipeline has (`OddsChanges` over the Redis odds
 * and value-bet stores, `server/testing/fleet_odds_changes.ts`), so the same files run in an
 * older tree give the baseline. The value-bet
 * events printed are the work done, the same for both.
 * @module
 */
import { FleetRedis } from "../server/fleet/redis_client.ts";
import type { OddsChanges } from "../server/live/change_detection.ts";
import type { ScrapedMatch } from "../server/live/validate.ts";
import { fleetOddsChanges } from "../server/testing/fleet_odds_changes.ts";

const SOURCES = ["Pinnacle", "Slow"] as const;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A small linear congruential generator: the same walk on every run. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

function scraped(i: number, source: string, home: number): ScrapedMatch {
  return {
    id: `england-premier-league:2030-01-01:arsenal-${i}:burnley`,
    league: "england-premier-league",
    home_team: "Arsenal",
    away_team: "Burnley",
    kickoff: "2030-01-01T15:00:00.000Z",
    source,
    odds: source === "Pinnacle"
      ? { x12: { home, draw: 4.4, away: 6.5 } }
      : { x12: { home, draw: 3, away: 4 } },
  };
}

interface Counts {
  changed: number;
  vbets: number;
  events: number;
}

/** One layout's counts: `leaders[k]` is the instance leading `SOURCES[k]`. */
async function layout(url: string, instances: number, matches: number, walks: number) {
  const prefix = `bench:vbets:${crypto.randomUUID()}:`;
  const counts: Counts = { changed: 0, vbets: 0, events: 0 };
  const clients: FleetRedis[] = [];
  try {
    const changes: OddsChanges[] = [];
    for (let n = 0; n < instances; n++) {
      const redis = new FleetRedis({
        url,
        keyPrefix: prefix,
        hooks: { onCommand: (name) => void (name.startsWith("vbets_") && counts.vbets++) },
      });
      clients.push(redis);
      if (!(await redis.whenUp(5000))) throw new Error(`Cannot reach Redis at ${url}`);
      changes.push(fleetOddsChanges(redis, {
        leads: SOURCES.filter((_, k) => k % instances === n),
        publish: (e) => void (e.type === "value_bet" && counts.events++),
      }));
    }
    for (const s of SOURCES) await clients[0].redis.set(`fence:${s}`, "1");
    const random = seeded(7);
    const at = new Date("2029-12-01T10:00:00Z");
    for (let w = 0; w < walks; w++) {
      at.setTime(at.getTime() + 60_000);
      for (let i = 0; i < matches; i++) {
        for (const [k, source] of SOURCES.entries()) {
          // Pinnacle stays near 1.5 (no value by itself); Slow wanders 1.40-1.80.
          const home = k === 0 ? 1.48 + 0.04 * random() : 1.4 + 0.4 * random();
          const r = await changes[k % instances].apply(
            scraped(i, source, Math.round(home * 100) / 100),
            at,
          );
          if (r.changed) counts.changed++;
        }
      }
    }
    return counts;
  } finally {
    const keys = await clients[0]?.redis.keys(`${prefix}*`);
    if (keys?.length) await clients[0].redis.call("DEL", ...keys);
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** Prints the value bets' Redis commands per changed match, in both layouts. */
export async function benchFleetValueBets(args: string[], url: string): Promise<void> {
  const matches = Number(option(args, "--matches") ?? 40);
  const walks = Number(option(args, "--walks") ?? 30);
  console.log(
    `value bets, Redis commands (vbets_*) per changed match, ${matches} matches x ` +
      `${walks} passes x 2 sources`,
  );
  for (
    const [instances, name] of [[1, "one leader of both"], [2, "a leader per source"]] as const
  ) {
    const c = await layout(url, instances, matches, walks);
    console.log(
      `${name.padEnd(20)} changed ${c.changed}  commands ${c.vbets}  per change ${
        (c.vbets / c.changed).toFixed(3)
      }  value-bet events ${c.events}`,
    );
  }
}
