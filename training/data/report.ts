/**
 * Prints what the loader makes of a set of sources: matches per league and season range,
 * skipped rows by reason, and the time taken.
 *
 *     deno run -A training/data/report.ts [source ...]   # default: the shared leagues/ folder
 * @module
 */
import { sharedDataDir } from "./data_dir.ts";
import { loadMatches } from "./load.ts";

if (import.meta.main) {
  const sources = Deno.args.length > 0 ? Deno.args : [`${sharedDataDir()}/leagues`];
  const started = performance.now();
  const { matches, rows, rejected } = await loadMatches(sources);
  const elapsed = performance.now() - started;
  const perLeague = new Map<string, { n: number; first: string; last: string }>();
  for (const m of matches) {
    const entry = perLeague.get(m.league) ?? { n: 0, first: m.season, last: m.season };
    entry.n++;
    entry.last = m.season;
    perLeague.set(m.league, entry);
  }
  for (const [league, { n, first, last }] of [...perLeague].sort()) {
    console.log(`${league.padEnd(28)} ${String(n).padStart(6)}  ${first} .. ${last}`);
  }
  console.log(`rows ${rows}, matches ${matches.length}, rejected ${JSON.stringify(rejected)}`);
  console.log(`loaded in ${elapsed.toFixed(0)} ms`);
}
