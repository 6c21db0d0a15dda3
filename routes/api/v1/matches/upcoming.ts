/**
 * `GET /api/v1/matches/upcoming?league=&limit=`: upcoming matches with their latest prices,
 * opening prices, source (`demo` for the demo bookmaker) and current prediction.
 * @module
 */
import { z } from "zod";
import {
  decimalParam,
  leagueParam,
  parseQuery,
  requireLive,
} from "../../../../server/live/http.ts";
import { toUpcomingMatch } from "../../../../server/live/upcoming_view.ts";
import type { UpcomingMatch } from "../../../../server/domain/live_protocol.ts";
import type { Handlers } from "../../../../server/web/router.ts";

const Query = z.object({ league: leagueParam, limit: decimalParam(1, 500) });

export const handler: Handlers = {
  async GET(c) {
    const live = requireLive(c);
    const q = parseQuery(c, Query);
    const stored = await live.store.upcoming({
      league: q.league,
      limit: Math.floor(q.limit ?? 100),
    });
    const matches: UpcomingMatch[] = [];
    for (const m of stored) {
      const prediction = await live.pipeline.predict(m);
      const view = toUpcomingMatch(m, { prediction });
      if (view) matches.push(view);
    }
    return c.json({
      matches,
      count: matches.length,
      demo: matches.some((m) => m.source === "demo"),
    });
  },
};
