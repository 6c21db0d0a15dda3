/**
 * Wall-clock times of a named time zone to UTC instants, with the built-in Intl time-zone data.
 * @module
 */

/** A wall-clock date and time as written in a source file. */
export interface LocalDateTime {
  year: number;
  /** 1-12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();

/**
 * The UTC instant at which clocks in `timeZone` (an IANA name such as `Europe/London`) show
 * `local`. A wall time skipped or repeated by a daylight-saving change maps to an instant within
 * an hour of it.
 */
export function localToUtc(local: LocalDateTime, timeZone: string): Date {
  const asUtc = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
    local.second,
  );
  // Two passes settle the offset unless the wall time sits in a daylight-saving gap.
  const guess = asUtc - offsetAt(asUtc, timeZone);
  return new Date(asUtc - offsetAt(guess, timeZone));
}

/** Whether the parts form a real calendar date and time. */
export function isValidLocal(local: LocalDateTime): boolean {
  const { year, month, day, hour, minute, second } = local;
  if (![year, month, day, hour, minute, second].every(Number.isInteger)) return false;
  if (year < 1800 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60;
}

/**
 * Offset of `timeZone` from UTC in milliseconds at the instant `ms`. Offsets are cached per UTC
 * day when the day starts and ends on the same offset (every day but the two clock changes).
 */
function offsetAt(ms: number, timeZone: string): number {
  const day = Math.floor(ms / 86_400_000);
  const dayKey = `${timeZone}:${day}`;
  const cached = offsetCache.get(dayKey);
  if (cached !== undefined) return cached;
  const start = exactOffset(day * 86_400_000, timeZone);
  if (start === exactOffset((day + 1) * 86_400_000 - 60_000, timeZone)) {
    offsetCache.set(dayKey, start);
    return start;
  }
  return exactOffset(ms, timeZone);
}

function exactOffset(ms: number, timeZone: string): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const p of formatter.formatToParts(new Date(ms))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  return wall - Math.floor(ms / 60_000) * 60_000;
}
