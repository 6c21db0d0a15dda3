/**
 * `/`: the live board.
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "../server/http/app_env.ts";
import { type BoardMatch, toBoardMatch } from "../islands/_client/board_match.ts";
import { LEAGUES } from "../server/domain/leagues.ts";
import { isDemoSource } from "../server/live/sources.ts";
import type { PageLoadContext, PageProps } from "../server/web/page.ts";
import LiveBoard from "../islands/LiveBoard.tsx";

interface BoardData {
  matches: BoardMatch[];
  league: string;
  /** Whether any price comes from the built-in demo market. */
  demo: boolean;
}

export const title = "Live board · SabiScore";

export async function load(c: Context<AppEnv>, ctx: PageLoadContext): Promise<BoardData> {
  const league = c.req.query("league") ?? "";
  const matches = await ctx.data.upcomingMatches();
  return {
    matches: matches.map(toBoardMatch),
    league: LEAGUES.some((l) => l.key === league) ? league : "",
    demo: matches.some((m) => isDemoSource(m.source)),
  };
}

export default function Board({ data }: PageProps<BoardData>) {
  const valueCount = data.matches.reduce((n, m) => n + m.value_bets.length, 0);
  const demo = data.demo;
  return (
    <>
      <div class="page-head">
        <h1>Live board</h1>
        <p class="muted">
          {`${data.matches.length} upcoming ${data.matches.length === 1 ? "match" : "matches"}`}
          {valueCount > 0 && ` · ${valueCount} value ${valueCount === 1 ? "bet" : "bets"}`}
          {demo && " · prices from the books of the built-in demo market (demo data)"}
        </p>
        <p class="muted small">
          Each price is the best across the bookmakers; open a match for every bookmaker's prices.
        </p>
      </div>
      <LiveBoard
        matches={data.matches}
        leagues={LEAGUES.map((l) => ({ key: l.key, name: l.name }))}
        league={data.league}
      />
    </>
  );
}
