/**
 * `GET /api/v1/matches/upcoming?league=&limit=`: upcoming matches with their latest prices,
 * opening prices, source (`demo` for the demo bookmaker) and current prediction. Predictions
 * come without `score_matrix` unless asked for with `?include=score_matrix` (as for
 * `POST /api/v1/predictions`).
 * @module
 */
import { parseQuery, requireLive } from "../../../../server/live/live_request.ts";
import { UpcomingQuerySchema } from "../../../../server/live/queries.ts";
import { isDemoSource } from "../../../../server/live/sources.ts";
import { toUpcomingMatch } from "../../../../server/live/upcoming_view.ts";
import { answerOf, wantsScoreMatrix } from "../../../../server/http/include_param.ts";
import type { Handlers } from "../../../../server/web/router.ts";
import { jsonAnswer } from "../../../../server/http/json_answer.ts";

export const handler: Handlers = {
  async GET(c) {
    const live = requireLive(c);
    const q = parseQuery(c, UpcomingQuerySchema);
    const matrix = wantsScoreMatrix(c.req.query("include"));
    const stored = await live.store.upcoming({
      league: q.league,
      limit: Math.floor(q.limit ?? 100),
    });
    const matches = [];
    for (const m of stored) {
      const prediction = await live.pipeline.predict(m);
      const view = toUpcomingMatch(m, { prediction });
      if (view) {
        matches.push(
          view.prediction ? { ...view, prediction: answerOf(view.prediction, matrix) } : view,
        );
      }
    }
    return jsonAnswer({
      matches,
      count: matches.length,
      demo: matches.some((m) => isDemoSource(m.source)),
    });
  },
};
