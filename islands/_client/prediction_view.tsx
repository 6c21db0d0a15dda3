/**
 * The full prediction of one match: 1X2 bar, fair odds beside offered odds, expected goals,
 * totals, both teams to score, likeliest scores, the correct-score heat-map and value bets with
 * Kelly stakes. Rendered by the match page on the server and by the predict form in the browser.
 * @module
 */
import type { Prediction, ValueBet } from "../../server/domain/prediction.ts";
import { ProbabilityBar, ScoreHeatmap } from "./charts.tsx";
import { formatOdds, formatPercent, formatSignedPercent, selectionLabel } from "./format.ts";

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
  /** Heading level of section titles. @default 2 */
  level?: 2 | 3;
}

/** Value bets with their edge and Kelly stake. */
export function ValueBetTable({ bets }: { bets: ValueBet[] }) {
  if (bets.length === 0) {
    return <p class="empty">No value bets: the offered prices are not better than the model's.</p>;
  }
  return (
    <table class="table value-table">
      <caption class="sr-only">Value bets with edge and Kelly stake</caption>
      <thead>
        <tr>
          <th scope="col">Bet</th>
          <th scope="col">Odds</th>
          <th scope="col">Model</th>
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
            <td>{formatOdds(b.odds)}</td>
            <td>{formatPercent(b.probability, 1)}</td>
            <td class="pos">{formatSignedPercent(b.edge)}</td>
            <td>{formatPercent(b.kelly_fraction, 1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The full prediction panel. */
export function PredictionView({ prediction: p, offered = {}, level = 2 }: PredictionViewProps) {
  const H = level === 2 ? "h2" : "h3";
  const rows: [string, number, number | undefined, number][] = [
    [`${p.home_team} win`, p.fair_odds.home, offered.home, p.probabilities.home_win],
    ["Draw", p.fair_odds.draw, offered.draw, p.probabilities.draw],
    [`${p.away_team} win`, p.fair_odds.away, offered.away, p.probabilities.away_win],
    ["Over 2.5 goals", p.fair_odds.over_2_5, offered.over_2_5, p.markets.over_under_2_5.over],
    ["Under 2.5 goals", p.fair_odds.under_2_5, offered.under_2_5, p.markets.over_under_2_5.under],
    ["Both teams score", p.fair_odds.btts_yes, offered.btts_yes, p.markets.btts.yes],
    ["Not both score", p.fair_odds.btts_no, offered.btts_no, p.markets.btts.no],
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
          <caption class="sr-only">Model fair odds against offered odds</caption>
          <thead>
            <tr>
              <th scope="col">Market</th>
              <th scope="col">Model</th>
              <th scope="col">Fair</th>
              <th scope="col">Offered</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, fair, off, prob]) => {
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
          Kelly stakes are shares of the bankroll (fractional Kelly, capped). Model{" "}
          {p.model.variant} {p.model.version}, trained to {p.model.trained_until}.
        </p>
      </section>
    </div>
  );
}
