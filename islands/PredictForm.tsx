/**
 * The predict form: pick a league, then two teams from the API, optionally type bookmaker odds,
 * and get the model's full prediction (`POST /api/v1/predictions`). Failures show the friendly
 * error panel with a retry.
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import type { Prediction, PredictionRequest, TeamInfo } from "../server/domain/prediction.ts";
import { ErrorNotice } from "./_client/error_notice.tsx";
import { fetchJson } from "./_client/fetch_json.ts";
import { PredictionView } from "./_client/prediction_view.tsx";
import ErrorBoundary from "./ErrorBoundary.tsx";

/** Props of {@link PredictForm}. */
export interface PredictFormProps {
  leagues: { key: string; name: string }[];
  /** Preselected league key. */
  league?: string;
}

type Load<T> = { state: "idle" } | { state: "loading" } | { state: "done"; value: T } | {
  state: "failed";
  error: unknown;
};

function teamsOf(body: unknown): string[] {
  const list = Array.isArray(body) ? body : (body as { teams?: unknown[] })?.teams ?? [];
  return list.map((t) => typeof t === "string" ? t : (t as TeamInfo).name).filter(Boolean)
    .sort((a, b) => a.localeCompare(b));
}

function predictionOf(body: unknown): Prediction {
  const b = body as { prediction?: Prediction };
  return b.prediction ?? (body as Prediction);
}

const ODDS_FIELDS = [
  ["home", "Home"],
  ["draw", "Draw"],
  ["away", "Away"],
] as const;

/** Predict form island. */
export default function PredictForm({ leagues, league: initial = "" }: PredictFormProps) {
  const [league, setLeague] = useState(initial);
  const [teams, setTeams] = useState<Load<string[]>>({ state: "idle" });
  const [home, setHome] = useState("");
  const [away, setAway] = useState("");
  const [odds, setOdds] = useState<Record<string, string>>({ home: "", draw: "", away: "" });
  const [result, setResult] = useState<
    Load<{ prediction: Prediction; request: PredictionRequest }>
  >(
    { state: "idle" },
  );
  const [teamsAttempt, setTeamsAttempt] = useState(0);

  useEffect(() => {
    if (!league) return;
    const abort = new AbortController();
    setTeams({ state: "loading" });
    fetchJson<unknown>(`/api/v1/leagues/${encodeURIComponent(league)}/teams`, {
      signal: abort.signal,
    })
      .then((body) => {
        const list = teamsOf(body);
        setTeams({ state: "done", value: list });
        setHome((h) => (list.includes(h) ? h : list[0] ?? ""));
        setAway((a) => (list.includes(a) ? a : list[1] ?? ""));
      })
      .catch((error) => {
        if (!abort.signal.aborted) setTeams({ state: "failed", error });
      });
    return () => abort.abort();
  }, [league, teamsAttempt]);

  const oddsValues = ODDS_FIELDS.map(([k]) => Number(odds[k]));
  const anyOdds = ODDS_FIELDS.some(([k]) => odds[k].trim() !== "");
  const oddsValid = !anyOdds || oddsValues.every((v) => Number.isFinite(v) && v > 1);
  const canSubmit = league !== "" && home !== "" && away !== "" && home !== away && oddsValid &&
    result.state !== "loading";

  async function submit(e?: Event) {
    e?.preventDefault();
    if (!canSubmit) return;
    const request: PredictionRequest = { league, home_team: home, away_team: away };
    if (anyOdds) request.odds = { home: oddsValues[0], draw: oddsValues[1], away: oddsValues[2] };
    setResult({ state: "loading" });
    try {
      const body = await fetchJson<unknown>("/api/v1/predictions?include=score_matrix", {
        method: "POST",
        body: request,
      });
      setResult({ state: "done", value: { prediction: predictionOf(body), request } });
    } catch (error) {
      setResult({ state: "failed", error });
    }
  }

  return (
    <div class="predict">
      <form class="card form" onSubmit={submit} aria-describedby="predict-help">
        <p id="predict-help" class="muted">
          Choose a league and two teams. Add decimal odds to see fair prices and value bets.
        </p>
        <label class="field">
          <span>League</span>
          <select
            name="league"
            value={league}
            onChange={(e) => setLeague((e.target as HTMLSelectElement).value)}
            required
          >
            <option value="" disabled>Choose a league</option>
            {leagues.map((l) => <option key={l.key} value={l.key}>{l.name}</option>)}
          </select>
        </label>
        {teams.state === "loading" && <p class="muted" role="status">Loading teams…</p>}
        {teams.state === "failed" && (
          <ErrorNotice
            error={teams.error}
            onRetry={() => setTeamsAttempt((n) => n + 1)}
          />
        )}
        {teams.state === "done" && (
          <div class="row">
            <label class="field">
              <span>Home team</span>
              <select
                name="home"
                value={home}
                onChange={(e) => setHome((e.target as HTMLSelectElement).value)}
              >
                {teams.value.map((t) => <option key={t} value={t}>{t}</option>)}
              </select>
            </label>
            <label class="field">
              <span>Away team</span>
              <select
                name="away"
                value={away}
                onChange={(e) => setAway((e.target as HTMLSelectElement).value)}
              >
                {teams.value.map((t) => (
                  <option key={t} value={t} disabled={t === home}>{t}</option>
                ))}
              </select>
            </label>
          </div>
        )}
        <fieldset class="odds-fields">
          <legend>Bookmaker odds (optional)</legend>
          <div class="row">
            {ODDS_FIELDS.map(([key, label]) => (
              <label key={key} class="field">
                <span>{label}</span>
                <input
                  name={`odds-${key}`}
                  type="number"
                  inputMode="decimal"
                  min="1.01"
                  step="0.01"
                  placeholder="e.g. 2.10"
                  value={odds[key]}
                  onInput={(e) => setOdds({ ...odds, [key]: (e.target as HTMLInputElement).value })}
                />
              </label>
            ))}
          </div>
          {!oddsValid && (
            <p class="field-error" role="alert">Enter all three odds, each above 1.00.</p>
          )}
        </fieldset>
        <button class="button primary" type="submit" disabled={!canSubmit}>
          {result.state === "loading" ? "Predicting…" : "Predict"}
        </button>
      </form>
      <div aria-live="polite">
        {result.state === "failed" && <ErrorNotice error={result.error} onRetry={() => submit()} />}
        {result.state === "done" && (
          <ErrorBoundary>
            <h2 class="result-title">
              {result.value.prediction.home_team} v {result.value.prediction.away_team}
            </h2>
            <PredictionView
              prediction={result.value.prediction}
              offered={result.value.request.odds}
              level={3}
            />
          </ErrorBoundary>
        )}
      </div>
    </div>
  );
}
