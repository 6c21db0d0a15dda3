/**
 * The live side's components of `/health`: odds sources (breaker state, last success, failures)
 * and the WebSocket hub. A source whose breaker is open degrades the service; it never takes
 * it down, since predictions and pages keep working without live odds. In fleet mode the sources
 * are shown as their leaders see them (each leader publishes its metrics to Redis), with who
 * leads each one.
 * @module
 */
import type { HealthReport, HealthStatus } from "../ops/health.ts";
import type { Hub } from "./hub.ts";
import type { OddsFeed } from "./odds_feed.ts";
import type { SourceStats } from "./source_metrics.ts";

/** The live parts a health report looks at (the app's services fit). */
export interface LiveHealthParts {
  live?: Pick<OddsFeed, "metrics" | "leaders" | "demo" | "fenced">;
  hub?: Hub;
}

/** Adds `live_odds` and `websocket` components to a health report (returns a new report). */
export function withLiveHealth(report: HealthReport, services: LiveHealthParts): HealthReport {
  const components = { ...report.components };
  if (services.live) {
    let sources = services.live.metrics.snapshot();
    const leaders = services.live.leaders?.status();
    if (leaders) {
      // A follower's own metrics say nothing (it does not scrape): take the leader's.
      sources = {};
      for (const [name, l] of Object.entries(leaders)) {
        const published = l.detail?.metrics as SourceStats | null | undefined;
        if (published) sources[name] = published;
      }
    }
    const open = Object.entries(sources).filter(([, s]) => s.breaker !== "closed");
    components.live_odds = {
      status: open.length > 0 ? "degraded" : "ok",
      ...(open.length > 0
        ? { detail: `Circuit open for ${open.map(([name]) => `"${name}"`).join(", ")}` }
        : {}),
      demo: services.live.demo !== undefined,
      sources,
      ...(leaders ? { leaders } : {}),
      // Writes of a stale or non-leader instance the fence turned away, by kind.
      ...(services.live.fenced ? { fenced_writes: services.live.fenced.counts() } : {}),
    };
  }
  if (services.hub) components.websocket = { status: "ok", ...services.hub.metrics() };
  const statuses = Object.values(components).map((c) => c.status);
  const status: HealthStatus = report.status === "down" || statuses.includes("down")
    ? "down"
    : statuses.includes("degraded")
    ? "degraded"
    : "ok";
  return { ...report, status, components };
}
