/**
 * `GET /api/v1/matches/:id`: one match with its latest and opening prices per source, the
 * timestamped history of every price change and the current prediction.
 * @module
 */
import { HttpError } from "../../../../server/errors.ts";
import { requireLive } from "../../../../server/live/http.ts";
import { toUpcomingMatch } from "../../../../server/live/upcoming_view.ts";
import type { Handlers } from "../../../../server/web/router.ts";

export const handler: Handlers = {
  async GET(c) {
    const live = requireLive(c);
    const id = c.req.param("id") ?? "";
    const match = id.length <= 300 ? await live.store.get(id) : null;
    if (!match) throw new HttpError(404, `Unknown match "${id.slice(0, 300)}"`);
    const prediction = await live.pipeline.predict(match);
    return c.json({
      match: toUpcomingMatch(match, { prediction }),
      sources: match.quotes,
      history: await live.store.history(id),
    });
  },
};
