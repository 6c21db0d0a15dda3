/**
 * `GET /api/v1/matches/:id`: one match with its latest and opening prices per source, the
 * timestamped history of every price change and the current prediction (without `score_matrix`
 * unless asked for with `?include=score_matrix`, as for `POST /api/v1/predictions`).
 * @module
 */
import { HttpError } from "../../../../server/http/errors.ts";
import { requireLive } from "../../../../server/live/live_request.ts";
import { toUpcomingMatch } from "../../../../server/live/upcoming_view.ts";
import { answerOf, wantsScoreMatrix } from "../../../../server/http/include_param.ts";
import type { Handlers } from "../../../../server/web/router.ts";
import { jsonAnswer } from "../../../../server/http/json_answer.ts";

export const handler: Handlers = {
  async GET(c) {
    const live = requireLive(c);
    const matrix = wantsScoreMatrix(c.req.query("include"));
    const id = c.req.param("id") ?? "";
    const match = id.length <= 300 ? await live.store.get(id) : null;
    if (!match) throw new HttpError(404, `Unknown match "${id.slice(0, 300)}"`);
    const prediction = await live.pipeline.predict(match);
    const view = toUpcomingMatch(match, { prediction });
    return jsonAnswer({
      match: view?.prediction ? { ...view, prediction: answerOf(view.prediction, matrix) } : view,
      sources: match.quotes,
      history: await live.store.history(id),
    });
  },
};
