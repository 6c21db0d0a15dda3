/**
 * What the pages need from the rest of the app, as one small interface, and the adapter that
 * builds it from the app's services (`services.live` odds store + pipeline, `services.alerts`).
 * This is the integration point between the web layer and the live side: when a service is
 * missing the adapter returns empty data and the pages render their empty states.
 * @module
 */
import type { UpcomingMatch, ValueBetEvent } from "../domain/live_protocol.ts";
import type { Prediction } from "../domain/prediction.ts";
import type { Alert } from "../live/alert_book.ts";
import type { AlertPerformance } from "../live/alert_performance.ts";
import type { OddsSnapshot } from "../live/odds_store.ts";
import { toMatchSummary, toUpcomingMatch } from "../live/upcoming_view.ts";
import type { Services } from "../services/services.ts";

export type { AlertPerformance } from "../live/alert_performance.ts";

/** Everything the match page shows. */
export interface MatchInsight {
  /** The match with its full prediction (score matrix, markets...). */
  match: UpcomingMatch<Prediction>;
  /** Price changes, oldest first (of the source the match view shows). */
  history: OddsSnapshot[];
}

/** What the pages read. Every method resolves (empty data) rather than throwing when a source is missing. */
export interface PageData {
  /** Upcoming matches in kick-off order, with prediction summaries where a model exists. */
  upcomingMatches(limit?: number): Promise<UpcomingMatch[]>;
  /** The match and its odds history, or null if unknown. */
  matchInsight(id: string): Promise<MatchInsight | null>;
  /** Recent alerts as feed events, newest first. */
  recentAlerts(limit?: number): Promise<ValueBetEvent[]>;
  /** Alert performance and the alerts (oldest first) for the cumulative chart; null without alerts. */
  alertPerformance(): Promise<{ summary: AlertPerformance; alerts: Alert[] } | null>;
}

/**
 * An alert as the feed shows it: at its latest price, book and edge (the probability they imply,
 * so edge = probability x odds - 1 still holds), as its last `update` event showed it.
 */
export function alertToEvent(a: Alert): ValueBetEvent {
  const odds = a.latest_odds ?? a.odds;
  const edge = a.latest_edge ?? a.edge;
  const probability = a.latest_edge === undefined ? a.probability : (1 + edge) / odds;
  return {
    action: a.status === "open" ? "open" : "close",
    match_id: a.match_id,
    league: a.league,
    home_team: a.home_team,
    away_team: a.away_team,
    kickoff: a.kickoff,
    market: a.market,
    selection: a.selection,
    odds,
    // Alerts stored before bets named their book and forecast lack these.
    bookmaker: a.latest_bookmaker ?? a.bookmaker ?? "",
    books: a.books ?? 1,
    forecast: a.forecast ?? "model",
    probability,
    fair_odds: 1 / probability,
    edge,
    kelly_fraction: a.kelly_fraction,
    expected_clv: a.expected_clv ?? null,
    expected_clv_ci95: a.expected_clv_ci95 ?? null,
  };
}

/** Builds {@link PageData} from the app's services. */
export function pageDataFromServices(services: Services | undefined): PageData {
  const live = services?.live;
  const alerts = services?.alerts;
  return {
    async upcomingMatches(limit = 200) {
      if (!live) return [];
      const stored = await live.store.upcoming({ limit });
      const out: UpcomingMatch[] = [];
      for (const m of stored) {
        const view = toUpcomingMatch(m, { prediction: await live.pipeline.predict(m) });
        if (view) out.push(toMatchSummary(view));
      }
      return out;
    },
    async matchInsight(id) {
      if (!live || id.length > 300) return null;
      const stored = await live.store.get(id);
      if (!stored) return null;
      const match = toUpcomingMatch(stored, { prediction: await live.pipeline.predict(stored) });
      if (!match) return null;
      const history = await live.store.history(id, { source: match.source });
      return { match, history };
    },
    recentAlerts(limit = 100) {
      if (!alerts) return Promise.resolve([]);
      return Promise.resolve(alerts.list({ limit }).alerts.map(alertToEvent).reverse());
    },
    alertPerformance() {
      if (!alerts) return Promise.resolve(null);
      return Promise.resolve({
        summary: alerts.performance(),
        alerts: alerts.list({ limit: 1000 }).alerts,
      });
    },
  };
}
