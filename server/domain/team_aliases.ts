/**
 * Team-name aliases per league. The canonical spelling is the one of the shared `leagues/` data;
 * the aliases are the football-data.co.uk spellings and the common long names clients send.
 * @module
 */
import { findLeague } from "./leagues.ts";

/** Canonical name -> other spellings, per league key. */
const ALIASES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  "england-premier-league": {
    "Manchester City": ["Man City", "Man. City", "Manchester City FC"],
    "Manchester United": ["Man United", "Man Utd", "Manchester Utd", "Man. United"],
    "Newcastle Utd": ["Newcastle", "Newcastle United"],
    "Nottingham": ["Nott'm Forest", "Nottingham Forest", "Nottm Forest"],
    "Sheffield Utd": ["Sheffield United"],
    "Tottenham": ["Tottenham Hotspur", "Spurs"],
    "Wolves": ["Wolverhampton", "Wolverhampton Wanderers"],
    "Brighton": ["Brighton & Hove Albion", "Brighton and Hove Albion", "Brighton Hove"],
    "West Ham": ["West Ham United"],
    "West Brom": ["West Bromwich Albion", "West Bromwich"],
    "Leicester": ["Leicester City"],
    "Leeds": ["Leeds United"],
    "Norwich": ["Norwich City"],
    "Bournemouth": ["AFC Bournemouth"],
    "Hull City": ["Hull"],
    "Stoke City": ["Stoke"],
    "Cardiff": ["Cardiff City"],
    "Swansea": ["Swansea City"],
    "Huddersfield": ["Huddersfield Town"],
    "Wigan": ["Wigan Athletic"],
    "Bolton": ["Bolton Wanderers"],
    "Blackburn": ["Blackburn Rovers"],
    "Birmingham": ["Birmingham City"],
    "QPR": ["Queens Park Rangers"],
  },
  "spain-laliga": {
    "Atl. Madrid": ["Ath Madrid", "Atletico Madrid", "Atlético Madrid", "Atletico"],
    "Ath Bilbao": ["Athletic Bilbao", "Athletic Club"],
    "Betis": ["Real Betis"],
    "Celta Vigo": ["Celta"],
    "Real Sociedad": ["Sociedad"],
    "Dep. La Coruna": ["La Coruna", "Deportivo La Coruna", "Deportivo"],
    "Gijon": ["Sp Gijon", "Sporting Gijon"],
    "Granada CF": ["Granada"],
    "Xerez CD": ["Xerez"],
    "Racing Santander": ["Santander"],
    "Rayo Vallecano": ["Vallecano"],
    "Espanyol": ["Espanol"],
    "Alaves": ["Deportivo Alaves"],
    "Cadiz": ["Cadiz CF"],
    "Sevilla": ["Sevilla FC"],
    "Barcelona": ["FC Barcelona", "Barca"],
  },
  "germany-bundesliga": {
    "Bayern Munich": ["Bayern Munchen", "Bayern München", "Bayern"],
    "Dortmund": ["Borussia Dortmund"],
    "Bayer Leverkusen": ["Leverkusen"],
    "B. Monchengladbach": ["M'gladbach", "Monchengladbach", "Borussia Monchengladbach"],
    "Eintracht Frankfurt": ["Ein Frankfurt", "Frankfurt"],
    "1. FC Koln": ["FC Koln", "Koln", "Cologne"],
    "Hertha Berlin": ["Hertha", "Hertha BSC"],
    "VfB Stuttgart": ["Stuttgart"],
    "Hamburger": ["Hamburg", "Hamburger SV"],
    "Arminia Bielefeld": ["Bielefeld"],
    "Dusseldorf": ["Fortuna Dusseldorf"],
    "Karlsruher": ["Karlsruhe"],
    "St. Pauli": ["St Pauli"],
    "Schalke": ["Schalke 04"],
    "Mainz": ["Mainz 05"],
    "RB Leipzig": ["Leipzig"],
    "Nurnberg": ["Nuremberg"],
  },
  "italy-serie-a": {
    "AC Milan": ["Milan"],
    "AS Roma": ["Roma"],
    "Inter": ["Inter Milan", "Internazionale"],
    "Verona": ["Hellas Verona"],
    "Spal": ["SPAL"],
    "Chievo": ["Chievo Verona"],
  },
  "france-ligue-1": {
    "PSG": ["Paris SG", "Paris Saint-Germain", "Paris Saint Germain"],
    "AC Ajaccio": ["Ajaccio"],
    "GFC Ajaccio": ["Ajaccio GFCO"],
    "Thonon-Evian": ["Evian Thonon Gaillard", "Evian"],
    "Amiens SC": ["Amiens"],
    "Arles-Avignon": ["Arles"],
    "Marseille": ["Olympique Marseille"],
    "Lyon": ["Olympique Lyonnais"],
    "St Etienne": ["Saint-Etienne", "St. Etienne"],
  },
  "netherlands-eredivisie": {
    "PSV": ["PSV Eindhoven"],
    "AZ Alkmaar": ["AZ"],
    "G.A. Eagles": ["Go Ahead Eagles"],
    "De Graafschap": ["Graafschap"],
    "Sittard": ["For Sittard", "Fortuna Sittard"],
    "Venlo": ["VVV Venlo"],
    "FC Volendam": ["Volendam"],
    "FC Emmen": ["Emmen"],
    "Zwolle": ["PEC Zwolle"],
    "Waalwijk": ["RKC Waalwijk"],
  },
  "belgium-jupiler-pro-league": {
    "St. Liege": ["Standard", "Standard Liege"],
    "St. Truiden": ["St Truiden", "Sint-Truiden"],
    "KV Mechelen": ["Mechelen"],
    "Leuven": ["Oud-Heverlee Leuven", "OH Leuven"],
    "Royale Union SG": ["St. Gilloise", "Union SG", "Union Saint-Gilloise"],
    "Royal Excel Mouscron": ["Mouscron", "Mouscron-Peruwelz"],
    "RFC Seraing": ["Seraing"],
    "KSV Roeselare": ["Roeselare"],
    "Lierse SK (inactive od 2018)": ["Lierse"],
    "SK Beveren": ["Waasland-Beveren", "Beveren"],
    "Lommel SK": ["Lommel"],
    "Club Brugge": ["Club Bruges"],
  },
  "egypt-premier-league": {
    "Al Ahly": ["Ahly"],
    "Zamalek": ["Zamalek SC"],
    "Pyramids": ["Pyramids FC"],
    "El Ismaily": ["Ismaily"],
    "Arab Contractors (Al Mokawloon)": ["Arab Contractors", "Al Mokawloon"],
  },
};

/** Lower case, accents stripped, runs of spaces collapsed: the key names are compared on. */
function comparable(name: string): string {
  return name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").trim().replace(/\s+/g, " ")
    .toLowerCase();
}

function resolveLeague(league: string): string {
  return findLeague(league)?.key ?? league.trim().toLowerCase();
}

const lookup = new Map<string, Map<string, string>>();
for (const [league, table] of Object.entries(ALIASES)) {
  const byKey = new Map<string, string>();
  for (const [canonical, aliases] of Object.entries(table)) {
    byKey.set(comparable(canonical), canonical);
    for (const alias of aliases) byKey.set(comparable(alias), canonical);
  }
  lookup.set(league, byKey);
}

/**
 * The canonical (shared `leagues/` data) spelling of a team, e.g. `Man United` ->
 * `Manchester United` in `england-premier-league`. `league` is a league key or alias. Matching
 * ignores case, accents and extra spaces; a name with no alias comes back trimmed as given.
 */
export function canonicalTeam(league: string, name: string): string {
  const found = lookup.get(resolveLeague(league))?.get(comparable(name));
  return found ?? name.trim().replace(/\s+/g, " ");
}

/** Other spellings known for a canonical team name (empty when there are none). */
export function aliasesFor(league: string, canonical: string): string[] {
  const table = ALIASES[resolveLeague(league)];
  if (!table) return [];
  const name = lookup.get(resolveLeague(league))?.get(comparable(canonical)) ?? canonical;
  return [...(table[name] ?? [])];
}

/** Every alias of a league mapped to its canonical name (`{ "Man United": "Manchester United" }`). */
export function knownAliases(league: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [canonical, aliases] of Object.entries(ALIASES[resolveLeague(league)] ?? {})) {
    for (const alias of aliases) out[alias] = canonical;
  }
  return out;
}
