/**
 * Loads played matches with their odds from CSV files, folders and URLs in the shared `leagues/`
 * format or the football-data.co.uk format, detected by header.
 * @module
 */
import type { MatchRecord } from "../../server/domain/types.ts";
import { type MatchFileOptions, parseMatchFile } from "./match_file.ts";
import { readSources, type ReadSourcesOptions } from "./sources.ts";

/** How matches are loaded. */
export interface LoadOptions extends ReadSourcesOptions, MatchFileOptions {}

/** Loaded matches and what was skipped. */
export interface LoadResult {
  /** Matches sorted by kick-off (ties keep load order), one per league/date/home/away. */
  matches: MatchRecord[];
  /** Data rows read, skipped ones included (blank lines excluded). */
  rows: number;
  /** Skipped rows by reason: `malformed_line`, `bad_date`, `bad_goals`, `empty_team`,
   * `bad_odds`, `bad_league`, `duplicate`. */
  rejected: Record<string, number>;
}

/**
 * Loads matches from a CSV file, a folder (every `*.csv` below it) or an http(s) URL, or a list
 * of them. The first copy of a match (same league, local date and teams) wins; later copies are
 * counted as `duplicate`. Throws on a missing path, an HTTP error or an unrecognised header.
 */
export async function loadMatches(
  sources: string | URL | readonly (string | URL)[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const files = await readSources(sources, options);
  const seen = new Set<string>();
  const result: LoadResult = { matches: [], rows: 0, rejected: {} };
  for (const file of files) {
    const parsed = parseMatchFile(file.text, file.name, options);
    result.rows += parsed.rows;
    for (const [reason, n] of Object.entries(parsed.rejected)) {
      result.rejected[reason] = (result.rejected[reason] ?? 0) + n;
    }
    for (const match of parsed.matches) {
      if (seen.has(match.id)) {
        result.rejected.duplicate = (result.rejected.duplicate ?? 0) + 1;
        continue;
      }
      seen.add(match.id);
      result.matches.push(match);
    }
  }
  // Array.prototype.sort is stable, so same-time matches keep their file order.
  result.matches.sort((a, b) => a.kickoff.getTime() - b.kickoff.getTime());
  return result;
}
