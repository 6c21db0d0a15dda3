/**
 * `GET /api/v1/leagues/:league/teams`: the teams of a league with the aliases clients may send.
 * The league may be a key or an alias; an unknown league is the same 422 `unknown_league` as
 * in a prediction request, with the closest keys.
 * @module
 */
import { knownLeagueKey } from "../../../../../server/http/known_league.ts";
import type { Handlers } from "../../../../../server/web/router.ts";
import { jsonAnswer } from "../../../../../server/http/json_answer.ts";

export const handler: Handlers = {
  GET: async (c) => {
    const name = (c.req.param("league") ?? "").slice(0, 100);
    const league = knownLeagueKey(name);
    const teams = await c.get("services").engine.teams(league);
    return jsonAnswer({ league, teams });
  },
};
