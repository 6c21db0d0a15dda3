/**
 * The live value-bet feed: alerts as they open, update and close, each naming the book of its
 * price, the forecast it compares and the closing line value its edge bucket had in the backtest,
 * filtered by league, minimum edge and odds range, with optional browser notifications.
 * @module
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ValueBetEvent } from "../server/domain/live_protocol.ts";
import { ConnectionPill } from "./_client/connection_status.tsx";
import {
  bookLabel,
  forecastLabel,
  formatKickoff,
  formatOdds,
  formatPercent,
  formatSignedPercent,
  selectionLabel,
} from "./_client/format.ts";
import { type ConnectionStatus, connectLive } from "./_client/live_socket.ts";

/** Props of {@link ValueBetFeed}. */
export interface ValueBetFeedProps {
  alerts: ValueBetEvent[];
  leagues: { key: string; name: string }[];
  since?: number;
}

const MAX_ALERTS = 200;
const PAGE = 12;

function alertKey(a: ValueBetEvent): string {
  return `${a.match_id}|${a.market}|${a.selection}`;
}

/** Value-bet feed island. */
export default function ValueBetFeed(props: ValueBetFeedProps) {
  const [alerts, setAlerts] = useState<ValueBetEvent[]>(props.alerts.slice(0, MAX_ALERTS));
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const [league, setLeague] = useState("");
  const [minEdge, setMinEdge] = useState("0");
  const [minOdds, setMinOdds] = useState("");
  const [maxOdds, setMaxOdds] = useState("");
  const [limit, setLimit] = useState(PAGE);
  const [notify, setNotify] = useState<"off" | "on" | "denied" | "unsupported">("off");
  const filters = useRef({ league, minEdge, minOdds, maxOdds, notify });
  filters.current = { league, minEdge, minOdds, maxOdds, notify };

  function matches(a: ValueBetEvent, f = filters.current): boolean {
    if (f.league && a.league !== f.league) return false;
    if (a.edge * 100 < (Number(f.minEdge) || 0)) return false;
    if (f.minOdds && a.odds < Number(f.minOdds)) return false;
    if (f.maxOdds && a.odds > Number(f.maxOdds)) return false;
    return true;
  }

  useEffect(() => {
    if (typeof Notification === "undefined") setNotify("unsupported");
    const connection = connectLive({
      topics: ["value-bets"],
      since: props.since,
      onStatus: setStatus,
      onMessage(message) {
        if (message.type !== "value_bet") return;
        const bet = message.bet;
        setAlerts((current) =>
          [bet, ...current.filter((a) => alertKey(a) !== alertKey(bet))].slice(0, MAX_ALERTS)
        );
        if (bet.action === "open" && filters.current.notify === "on" && matches(bet)) {
          new Notification(`Value bet: ${bet.home_team} v ${bet.away_team}`, {
            body: `${selectionLabel(bet.market, bet.selection)} @ ${formatOdds(bet.odds)} at ${
              bookLabel(bet.bookmaker)
            } (edge ${formatSignedPercent(bet.edge)} vs ${forecastLabel(bet.forecast)})`,
            tag: alertKey(bet),
          });
        }
      },
    });
    return () => connection.close();
  }, []);

  async function toggleNotifications() {
    if (notify === "on") return setNotify("off");
    const permission = await Notification.requestPermission();
    setNotify(permission === "granted" ? "on" : "denied");
  }

  const names = useMemo(() => new Map(props.leagues.map((l) => [l.key, l.name])), [props.leagues]);
  const shown = alerts.filter((a) => matches(a, { league, minEdge, minOdds, maxOdds, notify }));

  return (
    <div class="feed">
      <form
        class="card toolbar filters"
        onSubmit={(e) => e.preventDefault()}
        aria-label="Filter alerts"
      >
        <label class="field">
          <span>League</span>
          <select value={league} onChange={(e) => setLeague((e.target as HTMLSelectElement).value)}>
            <option value="">All leagues</option>
            {props.leagues.map((l) => <option key={l.key} value={l.key}>{l.name}</option>)}
          </select>
        </label>
        <label class="field narrow">
          <span>Min edge %</span>
          <input
            type="number"
            min="0"
            step="0.5"
            value={minEdge}
            onInput={(e) => setMinEdge((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field narrow">
          <span>Odds from</span>
          <input
            type="number"
            min="1"
            step="0.1"
            value={minOdds}
            placeholder="1.01"
            onInput={(e) => setMinOdds((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field narrow">
          <span>to</span>
          <input
            type="number"
            min="1"
            step="0.1"
            value={maxOdds}
            placeholder="any"
            onInput={(e) => setMaxOdds((e.target as HTMLInputElement).value)}
          />
        </label>
        <div class="field">
          <span>Notifications</span>
          <button
            type="button"
            class="button"
            aria-pressed={notify === "on"}
            disabled={notify === "unsupported"}
            onClick={toggleNotifications}
          >
            {notify === "on"
              ? "On – turn off"
              : notify === "denied"
              ? "Blocked by browser"
              : notify === "unsupported"
              ? "Not supported"
              : "Turn on"}
          </button>
        </div>
        <ConnectionPill status={status} />
      </form>
      <p class="muted small" aria-live="polite">
        {`${shown.length} of ${alerts.length} alerts shown`}
      </p>
      {shown.length === 0
        ? (
          <p class="empty card">
            No value bets match these filters yet. New ones appear here live.
          </p>
        )
        : (
          <ul class="alerts">
            {shown.slice(0, limit).map((a) => (
              <li
                key={alertKey(a)}
                class={`alert card action-${a.action}`}
                data-alert={alertKey(a)}
              >
                <div class="alert-head">
                  <span class={`badge ${a.action === "close" ? "badge-closed" : "badge-value"}`}>
                    {a.action === "open" ? "New" : a.action === "update" ? "Updated" : "Closed"}
                  </span>
                  <a href={`/match/${encodeURIComponent(a.match_id)}`}>
                    {a.home_team} v {a.away_team}
                  </a>
                  <span class="muted small">
                    {names.get(a.league) ?? a.league} · {formatKickoff(a.kickoff)}
                  </span>
                </div>
                <dl class="stats compact">
                  <div>
                    <dt>Selection</dt>
                    <dd>{selectionLabel(a.market, a.selection)}</dd>
                  </div>
                  <div>
                    <dt>Best price</dt>
                    <dd>
                      {formatOdds(a.odds)}{" "}
                      <span class="offered-by" data-testid="alert-book">
                        at {bookLabel(a.bookmaker)}
                      </span>
                    </dd>
                  </div>
                  <div>
                    <dt>Forecast</dt>
                    <dd>
                      {formatPercent(a.probability, 1)}{" "}
                      <span class="offered-by" data-testid="alert-forecast">
                        {`${forecastLabel(a.forecast)}, fair ${formatOdds(a.fair_odds)}`}
                      </span>
                    </dd>
                  </div>
                  <div>
                    <dt>Edge</dt>
                    <dd class="pos">{formatSignedPercent(a.edge)}</dd>
                  </div>
                  <div>
                    <dt>Kelly</dt>
                    <dd>{formatPercent(a.kelly_fraction, 1)}</dd>
                  </div>
                  {a.expected_clv !== null && (
                    <div>
                      <dt>Expected CLV</dt>
                      <dd data-testid="alert-expected-clv">
                        {formatSignedPercent(a.expected_clv)}
                      </dd>
                    </div>
                  )}
                </dl>
              </li>
            ))}
          </ul>
        )}
      {shown.length > limit && (
        <button
          type="button"
          class="button more"
          onClick={() => setLimit(limit + PAGE * 2)}
        >
          {`Show more (${shown.length - limit} hidden)`}
        </button>
      )}
    </div>
  );
}
