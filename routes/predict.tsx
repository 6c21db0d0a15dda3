/**
 * `/predict`: ask the model about any fixture.
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "../server/http/app_env.ts";
import { LEAGUES } from "../server/domain/leagues.ts";
import type { PageProps } from "../server/web/page.ts";
import PredictForm from "../islands/PredictForm.tsx";

interface PredictData {
  leagues: { key: string; name: string }[];
  league: string;
}

export const title = "Predict a match · SabiScore";

export function load(c: Context<AppEnv>): PredictData {
  const engine = c.get("services")?.engine;
  let available: string[] = LEAGUES.map((l) => l.key);
  try {
    const served = engine?.leagues();
    if (served && served.length > 0) available = served;
  } catch {
    // The engine cannot list leagues right now: offer them all, the API explains failures.
  }
  const leagues = LEAGUES.filter((l) => available.includes(l.key))
    .map((l) => ({ key: l.key, name: l.name }));
  const asked = c.req.query("league") ?? "";
  return { leagues, league: leagues.some((l) => l.key === asked) ? asked : leagues[0]?.key ?? "" };
}

export default function Predict({ data }: PageProps<PredictData>) {
  return (
    <>
      <div class="page-head">
        <h1>Predict a match</h1>
        <p class="muted">
          The model's probabilities for any two teams of a league, with fair odds and value bets
          when you add a bookmaker's prices.
        </p>
      </div>
      <PredictForm leagues={data.leagues} league={data.league} />
    </>
  );
}
