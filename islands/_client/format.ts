/**
 * Formatting shared by pages and islands. Times are shown in UTC so the server render and the
 * hydrated island agree.
 * @module
 */

const KICKOFF = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

const TIME = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "UTC",
});

const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/** `Sat 28 Nov, 15:00 UTC`. */
export function formatKickoff(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${KICKOFF.format(d).replace(" at ", ", ")} UTC`;
}

/** `14:05:09` (UTC). */
export function formatTime(iso: string | number): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : TIME.format(d);
}

/** `28 Nov`. */
export function formatDay(ms: number): string {
  return DAY.format(new Date(ms));
}

/** Decimal odds with two decimals. */
export function formatOdds(odds: number | undefined): string {
  return typeof odds === "number" && Number.isFinite(odds) ? odds.toFixed(2) : "–";
}

/** `45%` (or `45.3%` with digits = 1). */
export function formatPercent(p: number | null | undefined, digits = 0): string {
  return typeof p === "number" && Number.isFinite(p) ? `${(p * 100).toFixed(digits)}%` : "–";
}

/** `+4.2%` / `-1.0%`. */
export function formatSignedPercent(p: number | null | undefined, digits = 1): string {
  if (typeof p !== "number" || !Number.isFinite(p)) return "–";
  return `${p >= 0 ? "+" : ""}${(p * 100).toFixed(digits)}%`;
}

/** Human label of a value-bet selection, e.g. `Home win`, `Over 2.5`. */
export function selectionLabel(market: string, selection: string): string {
  const labels: Record<string, string> = {
    home: "Home win",
    draw: "Draw",
    away: "Away win",
    over: "Over 2.5",
    under: "Under 2.5",
    yes: "Both teams score",
    no: "Not both score",
  };
  return labels[selection] ?? `${market} ${selection}`;
}

/** What a value bet's probability comes from, in words (`forecast.name` of the answer). */
export function forecastLabel(forecast: string): string {
  if (forecast === "fair") return "fair price";
  if (forecast === "model") return "model";
  return forecast;
}

/** A value bet's book in words: the request's unnamed `odds` book is the price the user gave. */
export function bookLabel(bookmaker: string): string {
  return bookmaker === "odds" || bookmaker === "" ? "your price" : bookmaker;
}
