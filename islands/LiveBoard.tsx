/**
 * The live board: upcoming matches grouped by league with kick-off, the best 1X2 price across
 * the books with the book offering it (a change flashes and shows an arrow up or down), the
 * forecast's 1X2 as a bar and value-bet badges naming their book and forecast; every book's
 * prices are on the match page a row's title links to. Updates over the WebSocket; the league
 * filter is kept in the URL (`?league=`).
 *
 * A row's markup is written for size as much as for looks: the board lists every upcoming match
 * and the first HTML of `/` has a budget, so a row carries no test ids, no per-book table (nor
 * a link per row to one: the page says once where they are) and no attribute the styles or the
 * tests can do without.
 * @module
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type BoardMatch, toBoardMatch } from "./_client/board_match.ts";
import { offeredBy } from "./_client/book_prices.ts";
import { ProbabilityBar } from "./_client/charts.tsx";
import { ConnectionPill } from "./_client/connection_status.tsx";
import {
  bookLabel,
  forecastLabel,
  formatKickoff,
  formatOdds,
  formatSignedPercent,
  selectionLabel,
} from "./_client/format.ts";
import { type ConnectionStatus, connectLive } from "./_client/live_socket.ts";

/** A league the filter offers. */
export interface LeagueOption {
  key: string;
  name: string;
}

/** Props of {@link LiveBoard}. */
export interface LiveBoardProps {
  matches: BoardMatch[];
  leagues: LeagueOption[];
  /** Initially selected league key, or "" for all. */
  league?: string;
  /** Last event id reflected in `matches`. */
  since?: number;
}

type Side = "home" | "draw" | "away";
type Moves = Partial<Record<Side, "up" | "down">>;
type SidePrices = Partial<Record<Side, number>>;

const SIDES: { side: Side; short: string; name: string }[] = [
  { side: "home", short: "1", name: "Home" },
  { side: "draw", short: "X", name: "Draw" },
  { side: "away", short: "2", name: "Away" },
];

const FLASH_MS = 2500;

/** The best 1X2 price of each side across the match's books. */
function bestSides(m: BoardMatch): SidePrices {
  return { home: m.best.home?.odds, draw: m.best.draw?.odds, away: m.best.away?.odds };
}

/** How the best prices moved (a row shows the best price, so that is what flashes). */
function movesBetween(before: SidePrices | undefined, after: SidePrices): Moves {
  const moves: Moves = {};
  if (!before) return moves;
  for (const { side } of SIDES) {
    const [b, a] = [before[side], after[side]];
    if (b === undefined || a === undefined) continue;
    if (a > b) moves[side] = "up";
    else if (a < b) moves[side] = "down";
  }
  return moves;
}

function byKickoff(a: BoardMatch, b: BoardMatch): number {
  return a.kickoff.localeCompare(b.kickoff) || a.id.localeCompare(b.id);
}

/** Live board island. */
export default function LiveBoard(props: LiveBoardProps) {
  const [matches, setMatches] = useState<Record<string, BoardMatch>>(() =>
    Object.fromEntries(props.matches.map((m) => [m.id, m]))
  );
  const [moves, setMoves] = useState<Record<string, Moves>>({});
  const [flashing, setFlashing] = useState<Record<string, boolean>>({});
  const [league, setLeague] = useState(props.league ?? "");
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    const connection = connectLive({
      topics: ["matches"],
      since: props.since,
      onStatus: setStatus,
      onMessage(message) {
        if (message.type !== "odds") return;
        const match = toBoardMatch(message.match);
        setMatches((current) => {
          const before = current[match.id];
          const change = movesBetween(before && bestSides(before), bestSides(match));
          if (Object.keys(change).length > 0) {
            setMoves((m) => ({ ...m, [match.id]: change }));
            setFlashing((f) => ({ ...f, [match.id]: true }));
            clearTimeout(timers.current.get(match.id));
            timers.current.set(
              match.id,
              setTimeout(() => setFlashing((f) => ({ ...f, [match.id]: false })), FLASH_MS),
            );
          }
          return { ...current, [match.id]: match };
        });
      },
    });
    return () => {
      connection.close();
      for (const t of timers.current.values()) clearTimeout(t);
    };
  }, []);

  function chooseLeague(key: string) {
    setLeague(key);
    const url = new URL(location.href);
    if (key) url.searchParams.set("league", key);
    else url.searchParams.delete("league");
    history.replaceState(null, "", url);
  }

  const names = useMemo(() => new Map(props.leagues.map((l) => [l.key, l.name])), [props.leagues]);
  const groups = useMemo(() => {
    const byLeague = new Map<string, BoardMatch[]>();
    for (const m of Object.values(matches).sort(byKickoff)) {
      if (league && m.league !== league) continue;
      const list = byLeague.get(m.league) ?? [];
      list.push(m);
      byLeague.set(m.league, list);
    }
    return [...byLeague.entries()].sort((a, b) =>
      (names.get(a[0]) ?? a[0]).localeCompare(names.get(b[0]) ?? b[0])
    );
  }, [matches, league, names]);
  const present = new Set(Object.values(matches).map((m) => m.league));

  return (
    <div class="board">
      <div class="toolbar">
        <label class="field">
          <span>League</span>
          <select
            value={league}
            onChange={(e) => chooseLeague((e.target as HTMLSelectElement).value)}
            data-testid="league-filter"
          >
            <option value="">All leagues</option>
            {props.leagues.filter((l) => present.has(l.key) || l.key === league).map((l) => (
              <option key={l.key} value={l.key}>{l.name}</option>
            ))}
          </select>
        </label>
        <ConnectionPill status={status} />
      </div>
      {groups.length === 0 && (
        <p class="empty card">
          {Object.keys(matches).length === 0
            ? "No upcoming matches yet. Prices appear here as soon as a source reports them."
            : "No upcoming matches in this league."}
        </p>
      )}
      {groups.map(([key, list]) => (
        <section key={key} class="league" aria-labelledby={`league-${key}`}>
          <h2 id={`league-${key}`}>{names.get(key) ?? key}</h2>
          <ul class="matches">
            {list.map((m) => (
              <MatchRow
                key={m.id}
                match={m}
                moves={moves[m.id] ?? {}}
                flashing={flashing[m.id] ?? false}
              />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

interface MatchRowProps {
  match: BoardMatch;
  moves: Moves;
  flashing: boolean;
}

function MatchRow({ match: m, moves, flashing }: MatchRowProps) {
  const p = m.probabilities;
  return (
    <li class="match card">
      <div class="match-head">
        <time datetime={m.kickoff}>{formatKickoff(m.kickoff)}</time>
        <a class="teams" href={`/match/${encodeURIComponent(m.id)}`}>
          {`${m.home_team} `}
          <span class="vs">v</span>
          {` ${m.away_team}`}
        </a>
      </div>
      <div class="prices" role="group" aria-label="Best prices, each with the book offering it">
        {SIDES.map(({ side, short, name }) => {
          const move = moves[side];
          const offer = m.best[side];
          return (
            <span
              key={side}
              class={`price${move ? ` moved-${move}` : ""}${
                move && flashing ? ` flash-${move}` : ""
              }`}
              data-side={side}
            >
              <abbr title={name}>{short}</abbr>
              <b>{formatOdds(offer?.odds)}</b>
              {move && (
                <span class="move">
                  <span aria-hidden="true">{move === "up" ? "▲" : "▼"}</span>
                  <span class="sr-only">{move === "up" ? "drifted out" : "shortened"}</span>
                </span>
              )}
              {offer && <small>{offeredBy(offer)}</small>}
            </span>
          );
        })}
      </div>
      {p
        ? <ProbabilityBar home={p.home_win} draw={p.draw} away={p.away_win} />
        : <p class="muted small">No model prediction for this league yet.</p>}
      {m.value_bets.length > 0 && (
        <ul class="badges" aria-label="Value bets">
          {m.value_bets.map((b) => (
            <li key={`${b.market}:${b.selection}`} class="badge badge-value">
              <span aria-hidden="true">★</span> {selectionLabel(b.market, b.selection)}{" "}
              {formatOdds(b.odds)} at {bookLabel(b.bookmaker)}{" "}
              <span class="edge">{formatSignedPercent(b.edge)}</span> vs {forecastLabel(b.forecast)}
              {" "}
              {formatOdds(b.fair_odds)}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
