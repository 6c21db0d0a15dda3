/**
 * When a value bet opens, changes and closes: one lifecycle per (match, market, selection) with
 * hysteresis, so a price wiggling around the threshold makes one alert, not one per wiggle. It
 * opens when the edge reaches `openEdge`, updates (price, book, edge) while the edge stays at or
 * above `closeEdge`, and closes below `closeEdge` or at kick-off. A closed one opens again only
 * when the edge climbs back to `openEdge`, as the same alert.
 * @module
 */

/** Where one selection's lifecycle is. */
export type LifecycleState = "none" | "open" | "closed";

/** What an observation does to a lifecycle. */
export type LifecycleStep = "open" | "update" | "close" | "none";

/** The two thresholds of the hysteresis; `closeEdge` <= `openEdge`. */
export interface EdgeThresholds {
  openEdge: number;
  closeEdge: number;
}

/** The observed edge of a selection; undefined when it is no longer priced. */
export interface EdgeObservation {
  edge: number | undefined;
  /** Whether the match has kicked off. */
  kickedOff: boolean;
}

/** The step an observation makes from `state`. */
export function lifecycleStep(
  state: LifecycleState,
  observation: EdgeObservation,
  thresholds: EdgeThresholds,
): LifecycleStep {
  const { edge, kickedOff } = observation;
  if (state === "open") {
    if (kickedOff || edge === undefined || !(edge >= thresholds.closeEdge)) return "close";
    return "update";
  }
  if (kickedOff || edge === undefined) return "none";
  return edge >= thresholds.openEdge ? "open" : "none";
}

/** The state after a step. */
export function stateAfter(state: LifecycleState, step: LifecycleStep): LifecycleState {
  if (step === "open" || step === "update") return "open";
  if (step === "close") return "closed";
  return state;
}

/** The parts of a stored alert a lifecycle step changes. */
export interface AlertLike {
  status: "open" | "closed";
  kickoff: string;
  latest_odds: number;
  latest_bookmaker?: string;
  latest_edge?: number;
  updated_at: string;
  closed_at: string | null;
}

/** The live values of a value bet an open alert follows. */
export interface BetQuote {
  odds: number;
  bookmaker: string;
  edge: number;
}

/**
 * The alert after a `value_bet` event (`action` of the tracker, which already applied the
 * hysteresis): an open alert follows the price, book and edge (`latest_*`; the price it opened
 * at stays the one its closing line value is measured on) and closes on `close`; a closed one
 * reopens, as the same alert, on `open` before kick-off. Undefined when nothing changes.
 */
export function alertAfter<A extends AlertLike>(
  alert: A,
  action: "open" | "update" | "close",
  bet: BetQuote,
  at: string,
): A | undefined {
  const latest = { latest_odds: bet.odds, latest_bookmaker: bet.bookmaker, latest_edge: bet.edge };
  if (alert.status === "open") {
    if (action === "close") return { ...alert, status: "closed", closed_at: at, updated_at: at };
    return { ...alert, ...latest, updated_at: at };
  }
  if (action !== "open" || Date.parse(alert.kickoff) <= Date.parse(at)) return undefined;
  return { ...alert, ...latest, status: "open", closed_at: null, updated_at: at };
}
