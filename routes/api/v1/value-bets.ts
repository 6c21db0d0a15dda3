/**
 * `GET /api/v1/value-bets?league=&min_edge=&min_odds=&max_odds=`: value bets open right now on
 * upcoming matches (model probability x price - 1 above the edge), best edge first.
 * @module
 */
import { parseQuery, requireLive } from "../../../server/live/live_request.ts";
import { ValueBetsQuerySchema } from "../../../server/live/queries.ts";
import type { Handlers } from "../../../server/web/router.ts";
import { jsonAnswer } from "../../../server/http/json_answer.ts";

export const handler: Handlers = {
  async GET(c) {
    const live = requireLive(c);
    const q = parseQuery(c, ValueBetsQuerySchema);
    const bets = (await live.pipeline.valueBets()).filter((b) =>
      (!q.league || b.league === q.league) &&
      (q.min_edge === undefined || b.edge >= q.min_edge) &&
      (q.min_odds === undefined || b.odds >= q.min_odds) &&
      (q.max_odds === undefined || b.odds <= q.max_odds)
    ).slice(0, Math.floor(q.limit ?? 200));
    return jsonAnswer({ value_bets: bets, count: bets.length });
  },
};
