/**
 * `/match/:id`: everything about one upcoming match: every book's prices with the best of each
 * selection marked, the full prediction, the correct-score heat-map, the odds-movement chart,
 * fair vs best offered odds and value bets naming their book and forecast, with Kelly stakes.
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "../../server/http/app_env.ts";
import { findLeague } from "../../server/domain/leagues.ts";
import { HttpError } from "../../server/http/errors.ts";
import { isDemoSource } from "../../server/live/sources.ts";
import type { MatchInsight } from "../../server/web/page_data.ts";
import type { PageLoadContext, PageProps } from "../../server/web/page.ts";
import {
  type BestOffer,
  bestOffers,
  booksOfMatch,
  offeredBy,
  pricedMarkets,
  type PriceField,
} from "../../islands/_client/book_prices.ts";
import { BestPriceLegend, BookPricesTable } from "../../islands/_client/book_prices_table.tsx";
import { LineChart, type LineSeries } from "../../islands/_client/charts.tsx";
import { formatKickoff, formatOdds, formatTime } from "../../islands/_client/format.ts";
import { PredictionView } from "../../islands/_client/prediction_view.tsx";

export function title(data: MatchInsight): string {
  return `${data.match.home_team} v ${data.match.away_team} · SabiScore`;
}

export async function load(c: Context<AppEnv>, ctx: PageLoadContext): Promise<MatchInsight> {
  const id = c.req.param("id") ?? "";
  const insight = await ctx.data.matchInsight(id);
  if (!insight) throw new HttpError(404, `Unknown match "${id.slice(0, 300)}"`);
  return insight;
}

function oddsSeries(data: MatchInsight): LineSeries[] {
  const points = data.history.map((s) => ({ t: Date.parse(s.at), x12: s.odds.x12 }));
  const last = points[points.length - 1];
  const now = Date.parse(data.match.updated_at);
  if (!last || (Number.isFinite(now) && now > last.t)) {
    points.push({ t: now, x12: data.match.odds.x12 });
  }
  const valid = points.filter((p) => Number.isFinite(p.t)).sort((a, b) => a.t - b.t);
  return [
    {
      name: `Home (${data.match.home_team})`,
      tone: "a",
      points: valid.map((p) => [p.t, p.x12.home]),
    },
    { name: "Draw", tone: "b", dash: "6 4", points: valid.map((p) => [p.t, p.x12.draw]) },
    {
      name: `Away (${data.match.away_team})`,
      tone: "c",
      dash: "2 3",
      points: valid.map((p) => [p.t, p.x12.away]),
    },
  ];
}

function historySpan(series: LineSeries[]): number {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  return xs.length ? Math.max(...xs) - Math.min(...xs) : 0;
}

export default function MatchPage({ data }: PageProps<MatchInsight>) {
  const m = data.match;
  const league = findLeague(m.league)?.name ?? m.league;
  const series = oddsSeries(data);
  const books = booksOfMatch(m);
  const best = bestOffers(books);
  const offered: Partial<Record<PriceField, number>> = {};
  const by: Partial<Record<PriceField, string>> = {};
  for (const [field, offer] of Object.entries(best) as [PriceField, BestOffer][]) {
    offered[field] = offer.odds;
    by[field] = offeredBy(offer);
  }
  const demo = books.some((b) => isDemoSource(b.name));
  const moves: [string, number, number][] = [
    ["Home", m.opening_odds.x12.home, m.odds.x12.home],
    ["Draw", m.opening_odds.x12.draw, m.odds.x12.draw],
    ["Away", m.opening_odds.x12.away, m.odds.x12.away],
  ];
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/">Live board</a> <span aria-hidden="true">›</span> {league}
      </nav>
      <div class="page-head">
        <h1>
          {m.home_team} <span class="vs">v</span> {m.away_team}
        </h1>
        <p class="muted">
          {league} · <time datetime={m.kickoff}>{formatKickoff(m.kickoff)}</time> · prices from{" "}
          {books.length === 1 ? "1 bookmaker" : `${books.length} bookmakers`}
          {demo ? " of the demo market (demo data)" : ""}, updated {formatTime(m.updated_at)} UTC
        </p>
      </div>
      <section
        id="book-prices"
        class="card"
        aria-labelledby="book-prices-title"
        data-testid="book-prices"
      >
        <h2 id="book-prices-title">Prices by bookmaker</h2>
        <div class="book-tables">
          {pricedMarkets(books).map((market) => (
            <BookPricesTable key={market.key} market={market} books={books} best={best} />
          ))}
        </div>
        <BestPriceLegend />
      </section>
      <section class="card">
        <h2>Odds movement at {m.source}</h2>
        <table class="table compact-table">
          <caption class="sr-only">Opening and current 1X2 prices</caption>
          <thead>
            <tr>
              <th scope="col">1X2</th>
              <th scope="col">Opening</th>
              <th scope="col">Now</th>
              <th scope="col">Move</th>
            </tr>
          </thead>
          <tbody>
            {moves.map(([name, open, now]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{formatOdds(open)}</td>
                <td>{formatOdds(now)}</td>
                <td class={now > open ? "up" : now < open ? "down" : undefined}>
                  {now > open ? "▲ drifted" : now < open ? "▼ shortened" : "– unchanged"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <LineChart
          chart="odds-movement"
          series={series}
          label={`Decimal 1X2 odds over time for ${m.home_team} v ${m.away_team}, ${data.history.length} recorded changes`}
          formatX={(
            x,
          ) => (historySpan(series) < 600_000 ? formatTime(x) : formatTime(x).slice(0, 5))}
          formatY={(y) => y.toFixed(2)}
        />
      </section>
      {m.prediction
        ? <PredictionView prediction={m.prediction} offered={offered} offeredBy={by} />
        : (
          <section class="card">
            <h2>Prediction</h2>
            <p class="empty">No model is loaded for {league} yet, so only the prices are shown.</p>
          </section>
        )}
    </>
  );
}
