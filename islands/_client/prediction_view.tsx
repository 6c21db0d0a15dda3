/**
 * The full prediction of one match: 1X2 bar, fair odds beside offered odds (the best across the
 * books, with the book offering it), expected goals, totals, both teams to score, likeliest
 * scores, the correct-score heat-map and value bets naming their book and forecast, with Kelly
 * stakes. Rendered by the match page on the server and by the predict form in the browser.
 * @module
 */
import type { Prediction, ValueBet } from "../../server/domain/prediction.ts";
import { ProbabilityBar, ScoreHeatmap } from "./charts.tsx";
import {
  bookLabel,
  forecastLabel,
  formatOdds,
  formatPercent,
  formatSignedPercent,
  selectionLabel,
} from "./format.ts";

/** Offered prices to compare with the model's fair odds. */
export interface OfferedOdds {
  home?: number;
  draw?: number;
  away?: number;
  over_2_5?: number;
  under_2_5?: number;
  btts_yes?: number;
  btts_no?: number;
}

/** Props of {@link PredictionView}. */
export interface PredictionViewProps {
  prediction: Prediction;
  offered?: OfferedOdds;
  /** The book offering each price of `offered` (its best across several books). */
  offeredBy?: Partial<Record<keyof OfferedOdds, string>>;
  /** Heading level of section titles. @default 2 */
  level?: 2 | 3;
}

/** Value bets with the book of their price, the forecast they compare, edge and Kelly stake. */
export function ValueBetTable({ bets }: { bets: ValueBet[] }) {
  if (bets.length === 0) {
    return <p class="empty">No value bets: the offered prices are not better than the model's.</p>;
  }
  return (
    <table class="table value-table">
      <caption class="sr-only">
        Value bets: best price and its bookmaker, forecast probability, edge and Kelly stake
      </caption>
      <thead>
        <tr>
          <th scope="col">Bet</th>
          <th scope="col">Odds</th>
          <th scope="col">Forecast</th>
          <th scope="col">Edge</th>
          <th scope="col">Kelly stake</th>
        </tr>
      </thead>
      <tbody>
        {bets.map((b) => (
          <tr key={`${b.market}:${b.selection}`}>
            <th scope="row">
              <span class="badge badge-value">Value</span> {selectionLabel(b.market, b.selection)}
            </th>
            <td>
              {formatOdds(b.odds)}
              <span class="offered-by" data-testid="value-book">
                <span class="sr-only">at</span> {bookLabel(b.bookmaker)}
              </span>
            </td>
            <td>
              {formatPercent(b.probability, 1)}
              <span class="offered-by">{forecastLabel(b.forecast)}</span>
            </td>
            <td class="pos">{formatSignedPercent(b.edge)}</td>
            <td>{formatPercent(b.kelly_fraction, 1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The full prediction panel. */
export function PredictionView(
  { prediction: p, offered = {}, offeredBy, level = 2 }: PredictionViewProps,
) {
  const H = level === 2 ? "h2" : "h3";
  const rows: [string, keyof OfferedOdds, number, number][] = [
    [`${p.home_team} win`, "home", p.fair_odds.home, p.probabilities.home_win],
    ["Draw", "draw", p.fair_odds.draw, p.probabilities.draw],
    [`${p.away_team} win`, "away", p.fair_odds.away, p.probabilities.away_win],
    ["Over 2.5 goals", "over_2_5", p.fair_odds.over_2_5, p.markets.over_under_2_5.over],
    ["Under 2.5 goals", "under_2_5", p.fair_odds.under_2_5, p.markets.over_under_2_5.under],
    ["Both teams score", "btts_yes", p.fair_odds.btts_yes, p.markets.btts.yes],
    ["Not both score", "btts_no", p.fair_odds.btts_no, p.markets.btts.no],
  ];
  return (
    <div class="prediction" data-testid="prediction">
      <section class="card">
        <H>Result (1X2)</H>
        <ProbabilityBar
          home={p.probabilities.home_win}
          draw={p.probabilities.draw}
          away={p.probabilities.away_win}
        />
        <dl class="stats">
          <div>
            <dt>{p.home_team}</dt>
            <dd>{formatPercent(p.probabilities.home_win, 1)}</dd>
          </div>
          <div>
            <dt>Draw</dt>
            <dd>{formatPercent(p.probabilities.draw, 1)}</dd>
          </div>
          <div>
            <dt>{p.away_team}</dt>
            <dd>{formatPercent(p.probabilities.away_win, 1)}</dd>
          </div>
          <div>
            <dt>Expected goals</dt>
            <dd>{`${p.expected_goals.home.toFixed(2)} – ${p.expected_goals.away.toFixed(2)}`}</dd>
          </div>
          <div>
            <dt>Over 2.5</dt>
            <dd>{formatPercent(p.markets.over_under_2_5.over, 1)}</dd>
          </div>
          <div>
            <dt>Both score</dt>
            <dd>{formatPercent(p.markets.btts.yes, 1)}</dd>
          </div>
        </dl>
      </section>
      <section class="card">
        <H>Fair vs offered odds</H>
        <table class="table">
          <caption class="sr-only">
            {`Fair odds of the ${forecastLabel(p.forecast.name)} forecast against ${
              offeredBy ? "the best offered odds" : "offered odds"
            }`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Market</th>
              <th scope="col">Forecast</th>
              <th scope="col">Fair</th>
              <th scope="col">{offeredBy ? "Best offered" : "Offered"}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, field, fair, prob]) => {
              const off = offered[field];
              const better = off !== undefined && off > fair;
              return (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{formatPercent(prob, 1)}</td>
                  <td>{formatOdds(fair)}</td>
                  <td class={better ? "pos" : undefined}>
                    {formatOdds(off)}
                    {better && <span class="sr-only">(better than fair)</span>}
                    {better && <span aria-hidden="true">★</span>}
                    {off !== undefined && offeredBy?.[field] && (
                      <span class="offered-by">
                        <span class="sr-only">at</span> {offeredBy[field]}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section class="card">
        <H>Correct score</H>
        <ScoreHeatmap matrix={p.score_matrix} home={p.home_team} away={p.away_team} />
        <ol class="top-scores">
          {p.markets.correct_scores.slice(0, 5).map((s) => (
            <li key={s.score}>
              <strong>{s.score}</strong> {formatPercent(s.probability, 1)}
            </li>
          ))}
        </ol>
      </section>
      <section class="card">
        <H>Value bets</H>
        <ValueBetTable bets={p.value_bets} />
        <p class="note">
          {`Probabilities are the ${
            forecastLabel(p.forecast.name)
          } forecast; edge = probability × best price − 1, at the book named under the price. `}
          Kelly stakes are shares of the bankroll (fractional Kelly, capped). Model{" "}
          {p.model.variant} {p.model.version}, trained to {p.model.trained_until}.
        </p>
      </section>
    </div>
  );
}
