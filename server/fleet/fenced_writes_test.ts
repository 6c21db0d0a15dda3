import assert from "node:assert/strict";
import client from "prom-client";
import type { Alert } from "../live/alert_book.ts";
import { fixtureMatch } from "../live/event_fixtures.ts";
import { withLiveHealth } from "../live/live_health.ts";
import type { LiveEvent } from "../live/live_event.ts";
import { createSourceMetrics } from "../live/source_metrics.ts";
import type { ScrapedMatch } from "../live/validate.ts";
import { FencedWrites } from "./fenced_writes.ts";
import { FleetBroker } from "./fleet_broker.ts";
import { NotLeaderError } from "./not_leader.ts";
import { createRedisAlertStorage } from "./redis_alert_store.ts";
import { createRedisOddsStore } from "./redis_odds_store.ts";
import { createRedisValueBets } from "./redis_value_bets.ts";
import { SourceLease } from "./source_lease.ts";
import {
  connectedClient,
  deleteKeys,
  SHARED_REDIS,
  SHARED_REDIS_URL,
  testPrefix,
} from "./test_redis.ts";

const MATCH: ScrapedMatch = {
  id: "epl:2030-01-01:arsenal:chelsea",
  league: "epl",
  home_team: "Arsenal",
  away_team: "Chelsea",
  kickoff: "2030-01-01T15:00:00.000Z",
  source: "demo",
  odds: { x12: { home: 2.1, draw: 3.4, away: 3.6 } },
};

function oddsEvent(home: number): LiveEvent {
  return {
    type: "odds",
    previous: null,
    match: {
      id: MATCH.id,
      league: "epl",
      home_team: "Arsenal",
      away_team: "Chelsea",
      kickoff: MATCH.kickoff,
      source: "demo",
      odds: { x12: { home, draw: 3.4, away: 3.6 } },
      opening_odds: { x12: { home: 2.1, draw: 3.4, away: 3.6 } },
      updated_at: "2029-12-31T10:00:00.000Z",
      value_bets: [],
    },
  };
}

/** The counter's value for `kind` as `/metrics` shows it. */
async function scraped(registry: client.Registry, kind: string): Promise<number> {
  const text = await registry.metrics();
  const line = text.split("\n").find((l) =>
    l.startsWith(`sabiscore_fleet_fenced_writes_total{kind="${kind}"}`)
  );
  assert.ok(line, `no series for kind "${kind}" in:\n${text}`);
  return Number(line.split(" ").at(-1));
}

function fencedInHealth(fenced: FencedWrites): unknown {
  const report = { status: "ok" as const, uptime_seconds: 1, components: {} };
  const live = { metrics: createSourceMetrics(), fenced };
  return withLiveHealth(report, { live }).components.live_odds.fenced_writes;
}

Deno.test({
  name:
    "FencedWrites: a leader whose token was superseded is refused every kind of write, counted in /metrics and /health, logged once per episode",
  ignore: !SHARED_REDIS,
  async fn() {
    const prefix = testPrefix("fenced");
    const redis = await connectedClient(SHARED_REDIS_URL, { keyPrefix: prefix });
    const registry = new client.Registry();
    const lines: string[] = [];
    const fenced = new FencedWrites({ registry, log: (l) => lines.push(l) });
    const lease = new SourceLease(redis, "demo", { ttlMs: 5000 });
    // The token this instance holds: its lease's, until a pause makes it stale.
    let token: number | null = null;
    const fenceOf = () => token;
    const odds = createRedisOddsStore(redis, { fenceOf, fenced });
    const bets = createRedisValueBets(redis, { fenceOf, fenced });
    const alerts = createRedisAlertStorage(redis, { fenced });
    const broker = await FleetBroker.open(redis, { fenceOf, fenced, checkIntervalMs: 50 });
    try {
      assert.ok(await lease.attempt());
      token = lease.fence;
      await odds.put(MATCH, new Date("2029-12-01T10:00:00Z"));
      await broker.publish(oddsEvent(2.1), { source: "demo" });
      assert.deepEqual(fenced.counts(), { odds: 0, event: 0, alert: 0, value_bet: 0 });
      assert.equal(await scraped(registry, "odds"), 0);

      // A new leader takes the lease: its token is the next one, and every write script now
      // turns the old token away.
      const stale = token!;
      assert.equal(await redis.redis.incr("fence:demo"), stale + 1);
      const at = new Date("2029-12-01T10:01:00Z");
      const moved = { ...MATCH, odds: { x12: { home: 2.3, draw: 3.4, away: 3.6 } } };
      await assert.rejects(odds.put(moved, at), NotLeaderError);
      await assert.rejects(odds.put(moved, at), NotLeaderError);
      await assert.rejects(broker.publish(oddsEvent(2.3), { source: "demo" }), NotLeaderError);
      const noBets = {
        open: { match: fixtureMatch(), bets: [] },
        prices: {},
        revision: 0,
        announces: true,
      };
      assert.deepEqual(await bets.put(MATCH.id, { ...noBets, source: "demo" }), {
        outcome: "refused",
      });
      const alert = { id: 1, match_id: MATCH.id, status: "open" } as Alert;
      assert.equal(
        await alerts.save(alert, 1, [], { fence: { source: "demo", fence: stale } }),
        false,
      );
      assert.equal(await redis.redis.hlen("alerts:a"), 0);
      assert.equal((await odds.get(MATCH.id))?.quotes[0].odds.x12.home, 2.1);

      assert.deepEqual(fenced.counts(), { odds: 2, event: 1, alert: 1, value_bet: 1 });
      for (const [kind, n] of [["odds", 2], ["event", 1], ["alert", 1], ["value_bet", 1]]) {
        assert.equal(await scraped(registry, kind as string), n);
      }
      assert.deepEqual(fencedInHealth(fenced), { odds: 2, event: 1, alert: 1, value_bet: 1 });
      assert.equal(broker.stats().fenced_out, 1);
      // One line per kind for the episode: the second odds refusal said nothing.
      assert.equal(lines.length, 4);
      assert.equal(
        lines.filter((l) => l.includes("odds writes") && l.includes('"demo"')).length,
        1,
      );

      // Leading again (the current token), an accepted write ends the episode: the next
      // refusal warns once more.
      token = stale + 1;
      await odds.put(moved, at);
      token = stale;
      await assert.rejects(odds.put(MATCH, new Date("2029-12-01T10:02:00Z")), NotLeaderError);
      assert.equal(lines.length, 5);
      assert.equal(await scraped(registry, "odds"), 3);
    } finally {
      await broker.close();
      await lease.close();
      await deleteKeys(redis.redis, prefix);
      await redis.close();
    }
  },
});
