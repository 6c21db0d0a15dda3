/**
 * The leagues SabiScore knows, with their keys, display names and the aliases clients may use.
 * @module
 */
import { closestNames } from "./closest_names.ts";

/** A league the service can be asked about. */
export interface LeagueInfo {
  /** Stable key used in URLs and model folders, e.g. `england-premier-league`. */
  key: string;
  name: string;
  country: string;
  /** Path of its file under the shared `leagues/` data folder. */
  dataFile: string;
  /** Other names a client may send (case-insensitive), e.g. `epl`, `E0`. */
  aliases: string[];
}

/** The eight leagues of the shared data set. */
export const LEAGUES: readonly LeagueInfo[] = [
  {
    key: "england-premier-league",
    name: "Premier League",
    country: "england",
    dataFile: "england/premier-league.csv",
    aliases: ["epl", "e0", "premier-league", "premier league", "english premier league"],
  },
  {
    key: "spain-laliga",
    name: "LaLiga",
    country: "spain",
    dataFile: "spain/laliga.csv",
    aliases: ["laliga", "la liga", "sp1", "primera division"],
  },
  {
    key: "germany-bundesliga",
    name: "Bundesliga",
    country: "germany",
    dataFile: "germany/bundesliga.csv",
    aliases: ["bundesliga", "d1"],
  },
  {
    key: "italy-serie-a",
    name: "Serie A",
    country: "italy",
    dataFile: "italy/serie-a.csv",
    aliases: ["serie-a", "serie a", "i1"],
  },
  {
    key: "france-ligue-1",
    name: "Ligue 1",
    country: "france",
    dataFile: "france/ligue-1.csv",
    aliases: ["ligue-1", "ligue 1", "f1"],
  },
  {
    key: "netherlands-eredivisie",
    name: "Eredivisie",
    country: "netherlands",
    dataFile: "netherlands/eredivisie.csv",
    aliases: ["eredivisie", "n1"],
  },
  {
    key: "belgium-jupiler-pro-league",
    name: "Jupiler Pro League",
    country: "belgium",
    dataFile: "belgium/jupiler-pro-league.csv",
    aliases: ["jupiler-pro-league", "jupiler pro league", "b1", "first division a"],
  },
  {
    key: "egypt-premier-league",
    name: "Egyptian Premier League",
    country: "egypt",
    dataFile: "egypt/premier-league.csv",
    aliases: ["egyptian premier league", "egypt"],
  },
];

/** Finds a league by key or alias (case-insensitive), or undefined. */
export function findLeague(nameOrAlias: string): LeagueInfo | undefined {
  const q = nameOrAlias.trim().toLowerCase();
  return LEAGUES.find((l) => l.key === q || l.aliases.includes(q));
}

/** League key for a `country` + `league` pair as written in the shared data, e.g. `england-premier-league`. */
export function leagueKey(country: string, league: string): string {
  return `${country.trim().toLowerCase()}-${league.trim().toLowerCase()}`;
}

/** Up to `count` league keys closest to `name` by its key, name or any alias. */
export function closestLeagueKeys(name: string, count = 3): string[] {
  const labels: [string, string][] = LEAGUES.flatMap((l) =>
    [l.key, l.name, ...l.aliases].map((a): [string, string] => [a, l.key])
  );
  return closestNames(name, labels, count);
}
