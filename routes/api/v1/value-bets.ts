/**
 * `GET /api/v1/value-bets?league=&min_edge=&min_odds=&max_odds=`: value bets open right now on
 * upcoming matches (model probability x price - 1 above the edge), best edge first.
 * @module
 */
import { z } from "zod";
import { decimalParam, leagueParam, parseQuery, requireLive } from "../../../server/live/http.ts";
import type { Handlers } from "../../../server/web/router.ts";

const Query = z.object({
  league: leagueParam,
  min_edge: decimalParam(-1, 100),
  min_odds: decimalParam(1, 1000),
  max_odds: decimalParam(1, 1000),
  limit: decimalParam(1, 1000),
}).refine((q) => q.min_odds === undefined || q.max_odds === undefined || q.min_odds <= q.max_odds, {
  message: "min_odds must not exceed max_odds",
  path: ["min_odds"],
});

export const handler: Handlers = {
  GET(c) {
    const live = requireLive(c);
    const q = parseQuery(c, Query);
    const bets = live.pipeline.valueBets().filter((b) =>
      (!q.league || b.league === q.league) &&
      (q.min_edge === undefined || b.edge >= q.min_edge) &&
      (q.min_odds === undefined || b.odds >= q.min_odds) &&
      (q.max_odds === undefined || b.odds <= q.max_odds)
    ).slice(0, Math.floor(q.limit ?? 200));
    return c.json({ value_bets: bets, count: bets.length });
  },
};
