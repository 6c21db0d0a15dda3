/**
 * The league a client named, canonicalised, or the one `unknown_league` answer.
 * @module
 */
import { closestLeagueKeys, findLeague } from "../domain/leagues.ts";
import { unknownLeagueError } from "./errors.ts";

/** The key of the league called `name` (a key or an alias); HttpError 422 `unknown_league`. */
export function knownLeagueKey(name: string): string {
  const league = findLeague(name);
  if (!league) throw unknownLeagueError(name, { suggestions: closestLeagueKeys(name) });
  return league.key;
}
