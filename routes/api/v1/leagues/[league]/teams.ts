/**
 * `GET /api/v1/leagues/:league/teams`: the teams of a league with the aliases clients may send.
 * The league may be a key or an alias; an unknown league is a 404 listing the closest keys.
 * @module
 */
import { findLeague, LEAGUES } from "../../../../../server/domain/leagues.ts";
import { HttpError } from "../../../../../server/http/errors.ts";
import { closestNames } from "../../../../../server/predict/closest_names.ts";
import type { Handlers } from "../../../../../server/web/router.ts";
import { jsonAnswer } from "../../../../../server/http/json_answer.ts";

export const handler: Handlers = {
  GET: async (c) => {
    const name = (c.req.param("league") ?? "").slice(0, 100);
    const league = findLeague(name);
    if (!league) {
      throw new HttpError(404, `Unknown league "${name}"`, {
        code: "unknown_league",
        details: [{
          path: "league",
          message: "Unknown league",
          closest: closestNames(name, LEAGUES.map((l) => l.key)),
        }],
      });
    }
    const teams = await c.get("services").engine.teams(league.key);
    return jsonAnswer({ league: league.key, teams });
  },
};
