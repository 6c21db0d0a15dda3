import assert from "node:assert/strict";
import { type BookmakerMatch, loadBookmakerMatches } from "../data/bookmaker_prices.ts";
import { matchCandidates } from "./candidates.ts";
import { choosePolicy } from "./policy.ts";
import { writeSyntheticSeasons } from "./synthetic_market.ts";
import {
  assertWalkForward,
  runValueBacktest,
  type ValueBacktestOptions,
} from "./value_backtest.ts";

const CHOOSE = ["2015-16", "2016-17", "2017-18"];
const EVALUATE = ["2018-19", "2019-20", "2020-21"];
const OPTIONS: ValueBacktestOptions = {
  chooseSeasons: CHOOSE,
  evaluateSeasons: EVALUATE,
  minChoicePicks: 20,
  resamples: 200,
};

async function synthetic(): Promise<BookmakerMatch[]> {
  const dir = await Deno.makeTempDir();
  try {
    await writeSyntheticSeasons(dir, 2015, 2020);
    return (await loadBookmakerMatches(dir)).matches;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The evaluation seasons with every result and closing price changed. */
function scrambleEvaluation(matches: BookmakerMatch[]): BookmakerMatch[] {
  return matches.map((m) =>
    EVALUATE.includes(m.season)
      ? {
        ...m,
        match: { ...m.match, homeGoals: m.match.awayGoals, awayGoals: m.match.homeGoals + 1 },
        pinnacleClose: { x12: m.pinnacleClose.x12 && [...m.pinnacleClose.x12].reverse() },
      }
      : m
  );
}

Deno.test("runValueBacktest: nothing chosen depends on the evaluation seasons' results or closing prices", async () => {
  const matches = await synthetic();
  const a = runValueBacktest(matches, OPTIONS);
  const b = runValueBacktest(scrambleEvaluation(matches), OPTIONS);
  assert.ok(a.evaluation.picks > 0 && a.choice!.picks >= 20);
  assert.deepEqual(b.policy, a.policy);
  assert.equal(b.close_edge, a.close_edge);
  assert.deepEqual(b.buckets, a.buckets);
  assert.deepEqual(b.margin_removal, a.margin_removal);
  assert.deepEqual(b.choice_ranking, a.choice_ranking);
  assert.deepEqual(b.policy_file.chosen_on, {
    seasons: CHOOSE,
    leagues: ["england-premier-league"],
  });
  // ...while the evaluation itself does see them.
  assert.notEqual(b.evaluation.mean_clv, a.evaluation.mean_clv);
  assert.notEqual(b.evaluation.roi, a.evaluation.roi);
});

Deno.test("runValueBacktest: a given policy is scored as is, with the figures of the chosen one", async () => {
  const matches = await synthetic();
  const chosen = runValueBacktest(matches, OPTIONS);
  const fixed = runValueBacktest(matches, {
    ...OPTIONS,
    chooseSeasons: [],
    policy: chosen.policy_file,
  });
  assert.deepEqual(fixed.policy, chosen.policy);
  assert.deepEqual(fixed.value_bets, chosen.value_bets);
  assert.equal(fixed.choice, null);
  assert.deepEqual(fixed.policy_file.chosen_on, chosen.policy_file.chosen_on);
});

Deno.test("assertWalkForward: choice seasons must be disjoint from and earlier than evaluation", async () => {
  const matches = await synthetic();
  assert.throws(
    () => assertWalkForward(matches, ["2015-16", "2018-19"], ["2018-19"]),
    /Seasons "2018-19" cannot be both chosen on and evaluated on/,
  );
  assert.throws(
    () => assertWalkForward(matches, ["2019-20"], ["2015-16"]),
    /Choice seasons must end before the evaluation starts/,
  );
  assert.throws(
    () =>
      runValueBacktest(matches, {
        ...OPTIONS,
        chooseSeasons: ["2020-21"],
        evaluateSeasons: ["2016-17"],
      }),
    /Choice seasons must end before the evaluation starts/,
  );
  assertWalkForward(matches, CHOOSE, EVALUATE);
});

Deno.test("choosePolicy: refuses candidates of a season kept for evaluation", async () => {
  const matches = await synthetic();
  const candidates = matches.flatMap((m) => matchCandidates(m, { marginRemoval: "shin" }));
  assert.throws(
    () => choosePolicy(candidates, { minPicks: 1, forbiddenSeasons: new Set(["2019-20"]) }),
    /Cannot choose a policy: season "2019-20" is kept for evaluation/,
  );
  const earlier = candidates.filter((c) => CHOOSE.includes(c.season));
  const { chosen } = choosePolicy(earlier, { minPicks: 20, forbiddenSeasons: new Set(EVALUATE) });
  assert.ok(chosen.picks >= 20 && chosen.clv_z > 0);
});

Deno.test("runValueBacktest: the model's weight is chosen by log loss on the choice seasons", async () => {
  const matches = await synthetic();
  const outcome = (m: BookmakerMatch) => Math.sign(m.match.awayGoals - m.match.homeGoals) + 1;
  // A forecast that knows the result must get weight; one that is always wrong must not.
  const knowing = new Map(matches.map((m) => {
    const x12 = [0.02, 0.02, 0.02];
    x12[outcome(m)] = 0.96;
    return [m.match.id, { x12 }];
  }));
  const wrong = new Map(matches.map((m) => {
    const x12 = [0.48, 0.48, 0.48];
    x12[outcome(m)] = 0.04;
    return [m.match.id, { x12 }];
  }));
  const a = runValueBacktest(matches, { ...OPTIONS, model: knowing });
  assert.equal(a.model_weight.chosen, 0.5);
  assert.equal(a.policy_file.fair.model_weight, 0.5);
  const b = runValueBacktest(matches, { ...OPTIONS, model: wrong });
  assert.equal(b.model_weight.chosen, 0);
  assert.ok(b.model_weight.choice_log_loss["0.1"] > b.model_weight.choice_log_loss["0"]);
});
