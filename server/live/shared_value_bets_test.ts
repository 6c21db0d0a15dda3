import assert from "node:assert/strict";
import client from "prom-client";
import type { ValueBetEvent } from "../domain/live_protocol.ts";
import { createRedisOddsStore } from "../fleet/redis_odds_store.ts";
import { createRedisValueBets } from "../fleet/redis_value_bets.ts";
import type { FleetRedis } from "../fleet/redis_client.ts";
import {
  connectedClient,
  deleteKeys,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
} from "../fleet/test_redis.ts";
import { fleetOddsChanges } from "../testing/fleet_odds_changes.ts";
import type { LiveEvent } from "./broker.ts";
import { fixtureMatch, predictionWithEdge } from "./event_fixtures.ts";
import type { StoredMatch } from "./odds_store.ts";
import {
  type PriceStamp,
  SharedValueBets,
  type StoredValueBets,
  type ValueBetStore,
} from "./shared_value_bets.ts";
import type { ScrapedMatch } from "./validate.ts";

const KICKOFF = "2030-01-01T15:00:00.000Z";
const NOW = new Date("2029-12-01T10:00:00Z");

/** The match as one source prices it: the model values Arsenal's win above about 1.55. */
function scraped(source: string, home: number, draw: number, away: number): ScrapedMatch {
  return {
    id: "england-premier-league:2030-01-01:arsenal:burnley",
    league: "england-premier-league",
    home_team: "Arsenal",
    away_team: "Burnley",
    kickoff: KICKOFF,
    source,
    odds: { x12: { home, draw, away } },
  };
}

/** A store's next write waits until `release` (after `arrived` settles), as a slow leader's. */
class HeldPut {
  #hold: PromiseWithResolvers<void> | null = null;
  #arrived: PromiseWithResolvers<void> | null = null;

  /** Holds the next write; resolves once it is waiting. */
  holdNext(): Promise<void> {
    this.#hold = Promise.withResolvers<void>();
    this.#arrived = Promise.withResolvers<void>();
    return this.#arrived.promise;
  }

  release(): void {
    this.#hold?.resolve();
    this.#hold = null;
  }

  /** `store` with its writes passing through this gate. */
  wrap<S extends object>(store: S): S {
    const target = store as { put: (...args: unknown[]) => Promise<unknown> };
    const put = target.put.bind(store);
    return {
      ...store,
      put: async (...args: unknown[]) => {
        const hold = this.#hold;
        if (hold) {
          this.#arrived!.resolve();
          await hold.promise;
        }
        return await put(...args);
      },
    };
  }
}

/** One fleet instance leading one source: its own Redis client, stores and predictor. */
function leaderOf(redis: FleetRedis, source: string, events: LiveEvent[], gate: HeldPut) {
  return fleetOddsChanges(redis, {
    leads: [source],
    publish: (e) => void events.push(e),
    wrapValueBets: (store) => gate.wrap(store),
  });
}

function opened(events: LiveEvent[]): string[] {
  return actions(events).filter((a) => a.startsWith("open ")).map((a) => a.slice(5));
}

/** `action market/selection` of each value-bet event. */
function actions(events: LiveEvent[] | null): string[] {
  return (events ?? []).flatMap((e) =>
    e.type === "value_bet"
      ? [`${(e.bet as ValueBetEvent).action} ${e.bet.market}/${e.bet.selection}`]
      : []
  );
}

/** A stored match whose quotes have the change counts of `prices` (all the stamp reads). */
function pricedAt(prices: PriceStamp): StoredMatch {
  const odds = { x12: { home: 2, draw: 3.4, away: 3.6 } };
  return {
    id: fixtureMatch().id,
    league: "england-premier-league",
    home_team: "Arsenal",
    away_team: "Chelsea",
    kickoff: KICKOFF,
    quotes: Object.entries(prices).map(([source, changes]) => ({
      source,
      odds,
      opening_odds: odds,
      opened_at: NOW.toISOString(),
      updated_at: NOW.toISOString(),
      changes,
    })),
  };
}

Deno.test({
  name:
    "SharedValueBets: two leaders racing on one match announce each bet once and store the latest prices' bets",
  ignore: !SHARED_REDIS,
  async fn(t) {
    async function race(heldHasNewerPrices: boolean) {
      const prefix = testPrefix("vbets-race");
      const ra = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
      const rb = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
      try {
        await ra.redis.mset("fence:Pinnacle", "1", "fence:Slow", "1");
        const events: LiveEvent[] = [];
        const gateA = new HeldPut();
        const gateB = new HeldPut();
        // A leads the sharp book, B a slow one whose home price becomes a value bet.
        const a = leaderOf(ra, "Pinnacle", events, gateA);
        const b = leaderOf(rb, "Slow", events, gateB);
        await a.apply(scraped("Pinnacle", 1.5, 4.4, 6.5), NOW);
        await b.apply(scraped("Slow", 1.45, 3, 4), NOW);
        assert.deepEqual(opened(events), []);

        // B's price moves first: the value bet opens at B's prices, and B is held before it
        // writes. A's price moves next (its prices include B's) and A, too, sees the bet open.
        const at = new Date(NOW.getTime() + 60_000);
        const heldB = gateB.holdNext();
        const bDone = b.apply(scraped("Slow", 1.75, 3, 4), at);
        await heldB;
        if (heldHasNewerPrices) {
          // A read what is stored before B writes, and A is held in turn: B writes first.
          const heldA = gateA.holdNext();
          const aDone = a.apply(scraped("Pinnacle", 1.52, 4.4, 6.5), at);
          await heldA;
          gateB.release();
          await bDone;
          gateA.release();
          await aDone;
        } else {
          // A writes first; B's write comes late, from older prices.
          await a.apply(scraped("Pinnacle", 1.52, 4.4, 6.5), at);
          gateB.release();
          await bDone;
        }
        assert.deepEqual(opened(events), ["1x2/home"]);

        // What every instance answers is the bet at the latest prices (A's 1.52, B's 1.75).
        const latest = await a.predict(
          (await createRedisOddsStore(ra).get(
            scraped("Slow", 0, 0, 0).id,
          ))!,
        );
        const want = latest!.value_bets.map((v) => [v.selection, v.bookmaker, v.odds, v.edge]);
        assert.equal(want.length, 1);
        for (const instance of [a, b]) {
          const stored = await instance.valueBets(NOW);
          assert.deepEqual(stored.map((v) => [v.selection, v.bookmaker, v.odds, v.edge]), want);
        }
      } finally {
        await deleteKeys(ra.redis, prefix);
        await Promise.all([ra.close(), rb.close()]);
      }
    }
    await t.step("the held leader has the older prices", () => race(false));
    await t.step("the held leader has the newer prices", () => race(true));
  },
});

Deno.test({
  name:
    "SharedValueBets: another source's change is seen before this leader's next one, even one announcing nothing; alone, it makes no round trip for unchanged bets",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("vbets-known");
    let commands = 0;
    const ra = await connectedClient(SHARED_REDIS_URL, {
      keyPrefix: prefix,
      hooks: { onCommand: (name) => void (name.startsWith("vbets_") && commands++) },
    });
    const rb = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    try {
      const a = new SharedValueBets(createRedisValueBets(ra));
      const b = new SharedValueBets(createRedisValueBets(rb));
      const view = fixtureMatch();
      const none = await predictionWithEdge(0);
      const value = await predictionWithEdge(0.1);
      const change = (prediction: typeof none, prices: PriceStamp, source: string) => ({
        view,
        prediction,
        match: pricedAt(prices),
        source,
        feed: source,
      });
      assert.deepEqual(await a.update(change(none, { P: 1 }, "P")), []);
      assert.equal(commands, 1);
      // B's prices open a bet: B had never read the match, its first write learns A's.
      assert.deepEqual(actions(await b.update(change(value, { P: 1, S: 1 }, "S"))), [
        "open 1x2/home",
      ]);
      // A's next change opens nothing by what A last knew, but S's prices moved meanwhile: A
      // writes, finds B's bet and closes it.
      assert.deepEqual(actions(await a.update(change(none, { P: 2, S: 1 }, "P"))), [
        "close 1x2/home",
      ]);
      assert.equal(commands, 3);
      assert.deepEqual(await a.store.all(), []);
      // Only A's own source moved since: the bets A knows are the stored ones, and nothing
      // opens, moves or closes, so no command is sent.
      assert.deepEqual(await a.update(change(none, { P: 3, S: 1 }, "P")), []);
      assert.deepEqual(await a.update(change(none, { P: 4, S: 1 }, "P")), []);
      assert.equal(commands, 4); // the one above is all()
      // Prices no newer than those of the stored bets (a leader that read them before the
      // last writer) change nothing.
      assert.deepEqual(await b.update(change(value, { P: 1, S: 1 }, "S")), []);
      assert.deepEqual(await a.store.all(), []);
    } finally {
      await deleteKeys(ra.redis, prefix);
      await Promise.all([ra.close(), rb.close()]);
    }
  },
});

Deno.test({
  name:
    "SharedValueBets: a leader fenced out between its odds and its value-bet write announces no bet and stores none",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("vbets-fence");
    const redis = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    try {
      await redis.redis.mset("fence:Pinnacle", "1", "fence:Slow", "1");
      const events: LiveEvent[] = [];
      const gate = new HeldPut();
      const leader = fleetOddsChanges(redis, {
        leads: ["Pinnacle", "Slow"],
        publish: (e) => void events.push(e),
        wrapValueBets: (store) => gate.wrap(store),
      });
      await leader.apply(scraped("Pinnacle", 1.5, 4.4, 6.5), NOW);
      const held = gate.holdNext();
      const done = leader.apply(scraped("Slow", 1.75, 3, 4), NOW);
      await held;
      // Another instance takes the lease while this one is paused before its write.
      await redis.redis.incr("fence:Slow");
      gate.release();
      // The odds event went out before; the bet that opened at these prices does not.
      assert.deepEqual(await done, { changed: true, published: 1 });
      assert.deepEqual(actions(events), []);
      assert.deepEqual(await leader.valueBets(NOW), []);
    } finally {
      await deleteKeys(redis.redis, prefix);
      await redis.close();
    }
  },
});

/** A store where another writer always came first, with prices older than the caller's. */
function alwaysTaken(): ValueBetStore & { writes: number } {
  let revision = 0;
  const current = (): StoredValueBets => ({ open: null, prices: {}, revision: ++revision });
  return {
    writes: 0,
    get: () => Promise.resolve(current()),
    put(_id, _write) {
      this.writes++;
      return Promise.resolve({ outcome: "conflict" as const, current: current() });
    },
    all: () => Promise.resolve([]),
    prune: () => Promise.resolve(),
  };
}

Deno.test("SharedValueBets: a change whose every write met a concurrent writer is given up, counted and logged once per episode", async () => {
  const registry = new client.Registry();
  const lines: string[] = [];
  const store = alwaysTaken();
  const shared = new SharedValueBets(store, { registry, log: (l) => lines.push(l) });
  const counted = async (outcome: string) => {
    const text = await registry.metrics();
    const m = text.match(
      new RegExp(`sabiscore_fleet_value_bet_conflicts_total\\{outcome="${outcome}"\\} (\\d+)`),
    );
    return Number(m?.[1]);
  };
  const change = {
    view: fixtureMatch(),
    prediction: await predictionWithEdge(0.1),
    match: pricedAt({ P: 1 }),
    source: "P",
    feed: "P",
  };
  assert.equal(await counted("exhausted"), 0);
  // Nothing stored, nothing to announce: the writer whose bets are stored announces them.
  assert.equal(await shared.update(change), null);
  assert.equal(store.writes, 5);
  assert.equal(await counted("retried"), 4);
  assert.equal(await counted("exhausted"), 1);
  assert.equal(await shared.update({ ...change, match: pricedAt({ P: 2 }) }), null);
  assert.equal(await counted("exhausted"), 2);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /not stored: 5 writes in a row met a concurrent writer \(source "P"\)/);
  // A write that lands ends the episode: the next one given up is logged again.
  store.put = (_id, _write) => Promise.resolve({ outcome: "written", revision: 100 });
  assert.deepEqual(actions(await shared.update({ ...change, match: pricedAt({ P: 3 }) })), [
    "open 1x2/home",
  ]);
  store.put = alwaysTaken().put.bind(store);
  // (Another source's quote appeared: what this instance knows may be out of date.)
  assert.equal(await shared.update({ ...change, match: pricedAt({ P: 4, Q: 1 }) }), null);
  assert.equal(lines.length, 2);
});
