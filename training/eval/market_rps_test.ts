/**
 * Sanity check of the loaders, margin removal and RPS together against the shared data README:
 * what the market itself scores.
 */
import assert from "node:assert/strict";
import { fairProbabilities } from "../../server/domain/margins.ts";
import type { MatchRecord, Outcome, Prices1x2, Probs1x2 } from "../../server/domain/types.ts";
import { hasSharedData, sharedDataDir } from "../data/data_dir.ts";
import { loadMatches } from "../data/load.ts";
import { ScoreBoard } from "./metrics.ts";

const dir = sharedDataDir();
const present = await hasSharedData(dir);
if (!present) {
  console.warn(`market RPS tests skipped: no leagues/ folder in ${dir} (set SABISCORE_DATA)`);
}

function outcomeOf(m: MatchRecord): Outcome {
  return m.homeGoals > m.awayGoals ? 0 : m.homeGoals === m.awayGoals ? 1 : 2;
}

function fair(x12: Prices1x2): Probs1x2 {
  return fairProbabilities([x12.home, x12.draw, x12.away]) as Probs1x2;
}

function marketScores(matches: MatchRecord[]) {
  const opening = new ScoreBoard();
  const closing = new ScoreBoard();
  for (const m of matches) {
    if (!m.opening.x12 || !m.closing.x12) continue;
    opening.add(fair(m.opening.x12), outcomeOf(m));
    closing.add(fair(m.closing.x12), outcomeOf(m));
  }
  return { opening: opening.means(), closing: closing.means() };
}

Deno.test({
  name: "market RPS: average odds 2019-20 to 2022-23, 8 leagues, score 0.1993 / 0.1961",
  ignore: !present,
  async fn() {
    const { matches } = await loadMatches(`${dir}/leagues`);
    const recent = matches.filter((m) => m.season >= "2019-2020" && m.season <= "2022-2023");
    const { opening, closing } = marketScores(recent);
    assert.equal(opening.count, 10_840);
    assert.equal(closing.count, 10_840);
    assert.equal(opening.rps.toFixed(4), "0.1993");
    assert.equal(closing.rps.toFixed(4), "0.1961");
  },
});

Deno.test({
  name: "market RPS: Premier League mean of seasons 2009-10 to 2022-23 is 0.1956 / 0.1938",
  ignore: !present,
  async fn() {
    const { matches } = await loadMatches(`${dir}/leagues/england/premier-league.csv`);
    const seasons = [...new Set(matches.map((m) => m.season))];
    assert.equal(seasons.length, 14);
    const per = seasons.map((s) => marketScores(matches.filter((m) => m.season === s)));
    const meanOf = (f: (x: (typeof per)[number]) => number) =>
      per.reduce((a, x) => a + f(x), 0) / per.length;
    assert.equal(meanOf((x) => x.opening.rps).toFixed(4), "0.1956");
    assert.equal(meanOf((x) => x.closing.rps).toFixed(4), "0.1938");
  },
});

Deno.test({
  name: "market RPS: Pinnacle in football-data.co.uk files 2020-21 to 2022-23 is 0.2006 / 0.1992",
  ignore: !present,
  async fn() {
    const { matches } = await loadMatches(`${dir}/football-data-co-uk`);
    const { opening, closing } = marketScores(matches);
    assert.equal(opening.count, 1140);
    assert.equal(opening.rps.toFixed(4), "0.2006");
    assert.equal(closing.rps.toFixed(4), "0.1992");
  },
});
