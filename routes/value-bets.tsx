/**
 * `/value-bets`: the live alert feed and how past alerts performed.
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "../server/http/app_env.ts";
import type { ValueBetEvent } from "../server/domain/live_protocol.ts";
import { LEAGUES } from "../server/domain/leagues.ts";
import type { Alert } from "../server/live/alert_book.ts";
import type { AlertPerformance } from "../server/live/alert_performance.ts";
import type { PageLoadContext, PageProps } from "../server/web/page.ts";
import { LineChart, type LineSeries } from "../islands/_client/charts.tsx";
import { formatPercent, formatSignedPercent } from "../islands/_client/format.ts";
import ValueBetFeed from "../islands/ValueBetFeed.tsx";

interface ValueBetsData {
  alerts: ValueBetEvent[];
  performance: { summary: AlertPerformance; alerts: Alert[] } | null;
}

export const title = "Value bets · SabiScore";

export async function load(_c: Context<AppEnv>, ctx: PageLoadContext): Promise<ValueBetsData> {
  const [alerts, performance] = await Promise.all([
    ctx.data.recentAlerts(),
    ctx.data.alertPerformance(),
  ]);
  return { alerts, performance };
}

/**
 * Cumulative profit (settled alerts) and cumulative closing line value, one unit staked per
 * alert, against the alert's number in time order.
 */
function cumulativeSeries(alerts: Alert[]): LineSeries[] {
  const sorted = [...alerts].sort((a, b) =>
    a.created_at.localeCompare(b.created_at) || a.id - b.id
  );
  const profit: [number, number][] = [];
  const clv: [number, number][] = [];
  let p = 0, v = 0;
  sorted.forEach((a, i) => {
    if (typeof a.profit === "number") profit.push([i + 1, p += a.profit]);
    if (typeof a.clv === "number") clv.push([i + 1, v += a.clv]);
  });
  const series: LineSeries[] = [];
  if (profit.length > 0) series.push({ name: "Profit (units)", tone: "a", points: profit });
  if (clv.length > 0) {
    series.push({ name: "Closing line value (units)", tone: "b", dash: "6 4", points: clv });
  }
  return series;
}

function Performance({ perf }: { perf: ValueBetsData["performance"] }) {
  if (!perf || perf.summary.count === 0) {
    return (
      <p class="empty">
        No alerts yet. Performance appears here once alerts have kicked off (closing line value) and
        been settled (profit).
      </p>
    );
  }
  const s = perf.summary;
  const series = cumulativeSeries(perf.alerts);
  return (
    <>
      <dl class="stats kpis">
        <div>
          <dt>Alerts</dt>
          <dd>{s.count}</dd>
        </div>
        <div>
          <dt>Mean CLV</dt>
          <dd class={(s.mean_clv ?? 0) >= 0 ? "pos" : "neg"}>{formatSignedPercent(s.mean_clv)}</dd>
        </div>
        <div>
          <dt>Beat closing line</dt>
          <dd>{formatPercent(s.beat_closing_line)}</dd>
        </div>
        <div>
          <dt>ROI (flat stakes)</dt>
          <dd class={(s.roi ?? 0) >= 0 ? "pos" : "neg"}>{formatSignedPercent(s.roi)}</dd>
        </div>
        <div>
          <dt>Settled</dt>
          <dd>{`${s.settled} (${s.wins} won)`}</dd>
        </div>
      </dl>
      {series.length > 0
        ? (
          <LineChart
            chart="alert-performance"
            series={series}
            baseline={0}
            label={`Cumulative profit and closing line value of ${s.count} alerts, one unit staked on each`}
            formatX={(x) => `#${Math.round(x)}`}
            formatY={(y) => y.toFixed(1)}
          />
        )
        : <p class="empty">No alert has reached kick-off yet, so there is nothing to chart.</p>}
    </>
  );
}

export default function ValueBets({ data }: PageProps<ValueBetsData>) {
  return (
    <>
      <div class="page-head">
        <h1>Value bets</h1>
        <p class="muted">
          The best price across the bookmakers against the answer's forecast (the market's fair
          price, from the sharpest book or the books' consensus), as they appear. Edge = forecast
          probability × best price − 1; each alert names its book and its forecast, and the closing
          line value its edge bucket had in the backtest (expected CLV).
        </p>
      </div>
      <ValueBetFeed
        alerts={data.alerts}
        leagues={LEAGUES.map((l) => ({ key: l.key, name: l.name }))}
      />
      <section class="card" aria-labelledby="perf-title">
        <h2 id="perf-title">How past alerts did</h2>
        <Performance perf={data.performance} />
      </section>
    </>
  );
}
