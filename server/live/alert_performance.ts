/**
 * Performance of alerts: closing line value, hit rate and return, flat and Kelly-staked.
 * @module
 */
import type { Alert } from "./alert_book.ts";

/** Summary of alert performance. */
export interface AlertPerformance {
  count: number;
  open: number;
  with_clv: number;
  /** Mean closing line value of alerts with one; null when none. */
  mean_clv: number | null;
  /** Share of alerts with a recorded CLV that beat the closing line. */
  beat_closing_line: number | null;
  settled: number;
  wins: number;
  /** Profit in units over settled alerts, one unit staked on each. */
  profit_units: number;
  /** profit_units / settled; null when nothing is settled. */
  roi: number | null;
  /** ROI when staking each alert's Kelly fraction; null when nothing is settled. */
  kelly_roi: number | null;
  mean_edge: number | null;
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Performance summary of a set of alerts. */
export function summarise(alerts: Alert[]): AlertPerformance {
  const clvs = alerts.filter((a) => a.clv !== null).map((a) => a.clv!);
  const settledAlerts = alerts.filter((a) => a.profit !== null);
  const profit = settledAlerts.reduce((s, a) => s + a.profit!, 0);
  const kellyStake = settledAlerts.reduce((s, a) => s + a.kelly_fraction, 0);
  const kellyProfit = settledAlerts.reduce((s, a) => s + a.kelly_fraction * a.profit!, 0);
  return {
    count: alerts.length,
    open: alerts.filter((a) => a.status === "open").length,
    with_clv: clvs.length,
    mean_clv: mean(clvs),
    beat_closing_line: clvs.length === 0 ? null : clvs.filter((c) => c > 0).length / clvs.length,
    settled: settledAlerts.length,
    wins: settledAlerts.filter((a) => a.result === "won").length,
    profit_units: profit,
    roi: settledAlerts.length === 0 ? null : profit / settledAlerts.length,
    kelly_roi: kellyStake > 0 ? kellyProfit / kellyStake : null,
    mean_edge: mean(alerts.map((a) => a.edge)),
  };
}
