/**
 * Counts requests and records their latency by method, route template and status.
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import type { Metrics } from "../ops/metrics.ts";
import { routeTemplate } from "./route_template.ts";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Options of {@link metricsTiming}. */
export interface MetricsTimingOptions {
  /** Clock in milliseconds. @default performance.now */
  now?: () => number;
}

interface Series {
  inc(): void;
  observe(seconds: number): void;
}

/** Creates the metrics-timing middleware. */
export function metricsTiming(
  metrics: Metrics,
  options: MetricsTimingOptions = {},
): MiddlewareHandler<AppEnv> {
  const now = options.now ?? (() => performance.now());
  // Label lookups hash the label object on every call; bound children are reused instead.
  const series = new Map<string, Series>();

  function seriesOf(method: string, route: string, status: string): Series {
    const key = `${method} ${route} ${status}`;
    let s = series.get(key);
    if (!s) {
      const counter = metrics.httpRequests.labels(method, route, status);
      const histogram = metrics.httpDuration.labels(method, route, status);
      s = { inc: () => counter.inc(), observe: (v) => histogram.observe(v) };
      series.set(key, s);
    }
    return s;
  }

  return async function metricsTiming(c: Context<AppEnv>, next: Next) {
    const start = now();
    await next();
    const method = METHODS.has(c.req.method) ? c.req.method : "OTHER";
    const s = seriesOf(method, routeTemplate(c), String(c.res.status));
    s.inc();
    s.observe((now() - start) / 1000);
  };
}
