/**
 * `GET /api/v1/leagues`: the leagues SabiScore knows, their aliases and whether a model serves
 * them.
 * @module
 */
import { LEAGUES } from "../../../../server/domain/leagues.ts";
import type { Handlers } from "../../../../server/web/router.ts";
import { jsonAnswer } from "../../../../server/http/json_answer.ts";

export const handler: Handlers = {
  GET: (c) => {
    const available = new Set(c.get("services").engine.leagues());
    return jsonAnswer({
      leagues: LEAGUES.map((l) => ({
        key: l.key,
        name: l.name,
        country: l.country,
        aliases: l.aliases,
        available: available.has(l.key),
      })),
    });
  },
};
