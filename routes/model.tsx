/**
 * `/model`: the model card of each league: training window, backtest figures against the
 * market and the reliability diagram.
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "../server/http/app_env.ts";
import type { ModelCardView } from "../server/web/model_cards.ts";
import { cachedModelCards } from "../server/web/model_cards.ts";
import type { PageLoadContext, PageProps } from "../server/web/page.ts";
import { ReliabilityDiagram } from "../islands/_client/charts.tsx";

export const title = "Model cards · SabiScore";

export function load(_c: Context<AppEnv>, ctx: PageLoadContext): Promise<ModelCardView[]> {
  return cachedModelCards(ctx.modelsDir);
}

function metricName(name: string): string {
  return name.replace(/[._]/g, " ").replace(/\brps\b/i, "RPS").replace(/\broi\b/i, "ROI")
    .replace(/\bclv\b/i, "CLV");
}

function formatMetric(v: number | undefined): string {
  if (v === undefined) return "–";
  return Number.isInteger(v) ? String(v) : Math.abs(v) < 10 ? v.toFixed(4) : v.toFixed(1);
}

function Card({ card }: { card: ModelCardView }) {
  return (
    <section class="card model-card" aria-labelledby={`card-${card.league}`}>
      <h2 id={`card-${card.league}`}>{card.name}</h2>
      {card.error ? <p class="error-notice" role="alert">{card.error}</p> : (
        <>
          <dl class="stats compact">
            <div>
              <dt>Version</dt>
              <dd>{card.version ?? "–"}</dd>
            </div>
            <div>
              <dt>Trained until</dt>
              <dd>{card.trained_until ?? "–"}</dd>
            </div>
            {card.training_window && (
              <div>
                <dt>Training window</dt>
                <dd>
                  {`${card.training_window.from} – ${card.training_window.to}`}
                  {card.training_window.matches !== undefined &&
                    ` (${card.training_window.matches} matches)`}
                </dd>
              </div>
            )}
          </dl>
          <div class="model-grid">
            <div>
              <h3>Backtest</h3>
              {card.metrics.length === 0
                ? <p class="empty">No backtest figures in this card.</p>
                : (
                  <table class="table">
                    <caption class="sr-only">
                      Backtest figures of the model and of the market
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Figure</th>
                        <th scope="col">Model</th>
                        <th scope="col">Market (opening)</th>
                        <th scope="col">Market (closing)</th>
                      </tr>
                    </thead>
                    <tbody>
                      {card.metrics.map((m) => (
                        <tr key={m.name} data-metric={m.name}>
                          <th scope="row">{metricName(m.name)}</th>
                          <td data-field="model">{formatMetric(m.model)}</td>
                          <td data-field="market">{formatMetric(m.market)}</td>
                          <td data-field="closing">{formatMetric(m.closing)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              <p class="note">
                Lower is better for RPS, log loss and Brier score. The market's figures are its
                de-margined opening and closing prices on the same matches.
              </p>
            </div>
            <div>
              <h3>Reliability</h3>
              {card.reliability_svg_url && (
                <img
                  class="reliability-svg"
                  src={card.reliability_svg_url}
                  alt={`Reliability diagram of the ${card.name} model, walk-forward`}
                  width="480"
                  height="496"
                />
              )}
              {card.reliability.length > 0
                ? (
                  <ReliabilityDiagram
                    bins={card.reliability}
                    label={`Reliability diagram of the ${card.name} model`}
                  />
                )
                : !card.reliability_svg_url && (
                  <p class="empty">This card has no reliability data.</p>
                )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}

export default function ModelPage({ data }: PageProps<ModelCardView[]>) {
  return (
    <>
      <div class="page-head">
        <h1>Model cards</h1>
        <p class="muted">
          What each league's model learned from, and how it scored walk-forward against the
          bookmakers' own prices.
        </p>
      </div>
      {data.length === 0
        ? (
          <p class="empty card">
            No trained models yet. Run <code>deno task train</code>.
          </p>
        )
        : data.map((card) => <Card key={card.league} card={card} />)}
    </>
  );
}
