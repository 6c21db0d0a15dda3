import assert from "node:assert/strict";
import { matchSnapshots } from "./match_snapshots.ts";
import { createMemoryOddsStore, type OddsStore } from "./odds_store.ts";
import type { ScrapedMatch } from "./validate.ts";

const NOW = new Date("2029-12-01T12:00:00Z");

function scraped(id: string, league: string, kickoff: string): ScrapedMatch {
  return {
    id,
    league,
    home_team: `${id} home`,
    away_team: `${id} away`,
    kickoff,
    source: "demo",
    odds: { x12: { home: 2.1, draw: 3.4, away: 3.6 } },
  };
}

/** A memory store that counts its reads. */
async function countingStore(): Promise<{ store: OddsStore; reads: { upcoming: number } }> {
  const inner = createMemoryOddsStore({ now: () => NOW });
  await inner.put(scraped("epl:a", "epl", "2029-12-02T15:00:00.000Z"), NOW);
  await inner.put(scraped("epl:b", "epl", "2029-12-03T15:00:00.000Z"), NOW);
  await inner.put(scraped("liga:c", "liga", "2029-12-02T20:00:00.000Z"), NOW);
  // Kicked off an hour ago: not upcoming, still stored.
  await inner.put(scraped("epl:old", "epl", "2029-12-01T11:00:00.000Z"), NOW);
  const reads = { upcoming: 0 };
  const store: OddsStore = {
    ...inner,
    upcoming(filter) {
      reads.upcoming++;
      return inner.upcoming(filter);
    },
  };
  return { store, reads };
}

Deno.test("matchSnapshots: one load of the upcoming matches per call, whatever its topics", async () => {
  const { store, reads } = await countingStore();
  const snapshotOf = matchSnapshots(() => store);
  const ids = async (topics: Parameters<typeof snapshotOf>[0]) =>
    (await snapshotOf(topics)).map((m) => m.id).sort();
  assert.deepEqual(await ids(["league:epl", "league:liga", "value-bets"]), [
    "epl:a",
    "epl:b",
    "liga:c",
  ]);
  assert.equal(reads.upcoming, 1);
  assert.deepEqual(await ids(["league:liga"]), ["liga:c"]);
  assert.deepEqual(await ids(["match:epl:old", "league:liga"]), ["epl:old", "liga:c"]);
  assert.deepEqual(await ids(["match:epl:b"]), ["epl:b"]);
  assert.equal(reads.upcoming, 3);
});

Deno.test("matchSnapshots: calls made while a load is in flight share it", async () => {
  const { store, reads } = await countingStore();
  const snapshotOf = matchSnapshots(() => store);
  const all = await Promise.all([
    snapshotOf(["matches"]),
    snapshotOf(["league:epl"]),
    snapshotOf(["league:liga", "match:epl:a"]),
  ]);
  assert.deepEqual(all.map((s) => s.length), [3, 2, 2]);
  assert.equal(reads.upcoming, 1);
  // Once settled, the next call loads afresh (a snapshot is never older than its request).
  await snapshotOf(["matches"]);
  assert.equal(reads.upcoming, 2);
});

Deno.test("matchSnapshots: nothing before the store exists", async () => {
  assert.deepEqual(await matchSnapshots(() => undefined)(["matches"]), []);
});

Deno.test("matchSnapshots: a league's matches are not cut off by the other leagues' matches", async () => {
  const store = createMemoryOddsStore({ now: () => NOW });
  for (let i = 0; i < 501; i++) {
    const kickoff = new Date(NOW.getTime() + (i + 1) * 60_000).toISOString();
    await store.put(scraped(`epl:${i}`, "epl", kickoff), NOW);
  }
  await store.put(scraped("liga:late", "liga", "2029-12-09T20:00:00.000Z"), NOW);
  const snapshotOf = matchSnapshots(() => store);
  assert.deepEqual((await snapshotOf(["league:liga"])).map((m) => m.id), ["liga:late"]);
  const both = await snapshotOf(["league:epl", "league:liga"]);
  assert.equal(both.length, 501);
  assert.ok(both.some((m) => m.id === "liga:late"));
});
