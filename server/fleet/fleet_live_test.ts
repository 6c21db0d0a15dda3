/**
 * The live side of the fleet with 3 real service processes on loopback and real Redis: one
 * scraper per source, every event on every instance with the same id, takeover after SIGKILL
 * and SIGSTOP with fenced writes, replay against another instance, and the epoch after
 * FLUSHALL (on a private redis-server). Each instance runs its own demo bookmaker; only the
 * leader of the source "demo-sharp" (one of the demo books) scrapes it.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import type { ServerMessage } from "../domain/live_protocol.ts";
import { Client, subscribe } from "../live/ws_test_client.ts";
import { FleetCluster, type FleetInstance } from "../testing/fleet_cluster.ts";
import type { StoredFleetEvent } from "./fleet_broker.ts";
import { PrivateRedis, REDIS_SERVER, SHARED_REDIS, SHARED_REDIS_URL } from "./test_redis.ts";

const LEASE_TTL_MS = 2000;
const ENV = {
  DEMO_BOOKMAKER: "true",
  DEMO_TICK_MS: "150",
  DEMO_SCRAPE_MS: "250",
  // Kick-off slots a second apart: each fixture replays its opening -> closing move within
  // seconds, so prices (and events) move several times a second.
  DEMO_KICKOFF_EVERY_MS: "1000",
  FLEET_LEASE_TTL_MS: String(LEASE_TTL_MS),
  LOG_LEVEL: "warn",
};
const TOPICS = ["matches", "value-bets"];
/**
 * A lease long enough that its two thirds (what an unreleased one stands for after SIGTERM)
 * leave a busy machine room to process the signal and a contender's next try (a third).
 */
const SLOW_LEASE_TTL_MS = 6000;

if (!SHARED_REDIS) console.warn("Skipping fleet live tests: no Redis at 127.0.0.1:6379");

type EventMessage = Extract<ServerMessage, { type: "odds" | "value_bet" }>;

function eventsOf(client: Client): EventMessage[] {
  return client.messages.filter((m): m is EventMessage =>
    m.type === "odds" || m.type === "value_bet"
  );
}

/** Polls `check` (real processes on a shared machine: generous limits) until it holds. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const end = performance.now() + ms;
  while (true) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface LeaderView {
  leader: string | null;
  is_leader: boolean;
  fence: number | null;
}

async function leaderSeenBy(instance: FleetInstance): Promise<LeaderView | undefined> {
  const { body } = await instance.json<
    { components: { live_odds?: { leaders?: Record<string, LeaderView> } } }
  >("/health");
  return body.components.live_odds?.leaders?.["demo-sharp"];
}

/** The instance whose own /health says it leads "demo-sharp". */
async function leaderOf(cluster: FleetCluster, among = cluster.instances): Promise<FleetInstance> {
  return await waitFor("a leader of demo", async () => {
    for (const i of among) {
      if (i.exited) continue;
      if ((await leaderSeenBy(i).catch(() => undefined))?.is_leader) return i;
    }
    return undefined;
  });
}

/** Every event in the fleet's stream, oldest first. */
async function streamEvents(
  redis: Redis,
  prefix: string,
): Promise<{ offset: number; stored: StoredFleetEvent }[]> {
  const entries = await redis.xrange(`${prefix}events:stream`, "-", "+");
  return entries.map(([id, fields]) => ({
    offset: Number(id.split("-")[0]),
    stored: JSON.parse(fields[1]),
  }));
}

/** Fencing tokens never go back in offset order: no write of a deposed leader went out. */
function assertFencesNeverGoBack(events: { offset: number; stored: StoredFleetEvent }[]): void {
  let highest = 0;
  for (const e of events) {
    assert.ok(e.stored.fence !== undefined, `event ${e.offset} was published without a fence`);
    assert.ok(
      e.stored.fence! >= highest,
      `event ${e.offset} by ${e.stored.by} carries fence ${e.stored.fence} after ${highest}`,
    );
    highest = e.stored.fence!;
  }
}

async function openClients(cluster: FleetCluster): Promise<Client[]> {
  const clients = await Promise.all(
    cluster.instances.map((i) => Client.open(`${i.url.replace("http", "ws")}/ws`)),
  );
  await Promise.all(clients.map((c) => subscribe(c, { topics: TOPICS })));
  return clients;
}

async function withFleet(
  fn: (cluster: FleetCluster, redis: Redis) => Promise<void>,
  redisUrl = SHARED_REDIS_URL,
  env: Record<string, string> = ENV,
): Promise<void> {
  const cluster = await FleetCluster.start({ instances: 3, env, redisUrl });
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  try {
    await fn(cluster, redis);
  } catch (error) {
    for (const i of cluster.instances) {
      const view = i.exited ? "exited" : JSON.stringify(await leaderSeenBy(i).catch(() => null));
      const lines = i.lines.filter((l) => !l.includes("No prediction")).slice(-15);
      console.error(`${i.id} (${view}):\n${lines.join("\n")}`);
    }
    throw error;
  } finally {
    redis.disconnect();
    await cluster.close();
  }
}

/** {@link withFleet} on a redis-server of its own, which the test may flush. */
async function withPrivateFleet(
  fn: (cluster: FleetCluster, redis: Redis) => Promise<void>,
): Promise<void> {
  const server = new PrivateRedis();
  await server.start();
  try {
    await withFleet(fn, server.url);
  } finally {
    await server.stop();
  }
}

Deno.test({
  name: "fleet live: an event of the leader reaches clients on all 3 instances with one event id",
  ignore: !SHARED_REDIS,
  fn: () =>
    withFleet(async (cluster, redis) => {
      const leader = await leaderOf(cluster);
      const followers = cluster.instances.filter((i) => i !== leader);
      // Exactly one leader, seen as such by every instance.
      for (const f of followers) {
        const seen = await waitFor("the leader's status", async () => {
          const v = await leaderSeenBy(f);
          return v?.leader ? v : undefined;
        });
        assert.equal(seen.is_leader, false);
        assert.equal(seen.leader, leader.id);
      }
      const clients = await openClients(cluster);
      try {
        await waitFor("5 events on every instance", () =>
          clients.every((c) => eventsOf(c).length >= 5) || undefined);
        // The clients subscribed at slightly different times: the first event all of them
        // were subscribed for.
        const target = Math.max(...clients.map((c) =>
          eventsOf(c)[0].event_id
        ));
        const first = eventsOf(clients.find((c) => eventsOf(c)[0].event_id === target)!)[0];
        for (const c of clients) {
          await waitFor("the same event", () =>
            eventsOf(c).some((e) => e.event_id === first.event_id) || undefined);
          const same = eventsOf(c).find((e) =>
            e.event_id === first.event_id
          )!;
          assert.deepEqual(same, first);
        }
        const stored = await streamEvents(redis, cluster.keyPrefix);
        assert.ok(stored.length > 0);
        assert.ok(stored.every((e) => e.stored.by === leader.id), "only the leader publishes");
        // Followers scrape nothing, yet answer the same matches from the shared odds store and
        // show the leader's source metrics in /health.
        // Demo fixtures kick off and are replaced every slot: compare one moment's lists.
        const ids = await waitFor("the same matches on every instance", async () => {
          const upcoming = await Promise.all(cluster.instances.map((i) =>
            i.json<{ matches: { id: string; opening_odds: unknown }[] }>(
              "/api/v1/matches/upcoming?limit=500",
            )
          ));
          const lists = upcoming.map((u) =>
            u.body.matches.map((m) => m.id).sort()
          );
          const same = lists.every((l) => JSON.stringify(l) === JSON.stringify(lists[0]));
          return same && lists[0].length > 0 ? lists : undefined;
        });
        assert.deepEqual(ids[1], ids[0]);
        assert.deepEqual(ids[2], ids[0]);
        // The leader publishes its source status on its own schedule: wait for the first.
        for (const f of followers) {
          const breaker = await waitFor("the leader's source status", async () => {
            const { body } = await f.json<
              { components: { live_odds: { sources: Record<string, { breaker: string }> } } }
            >("/health");
            return body.components.live_odds.sources["demo-sharp"]?.breaker;
          });
          assert.equal(breaker, "closed");
        }
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    }),
});

/** An odds page in the demo board's layout: one match whose home price is far above fair. */
function generousBoard(kickoff: string): string {
  return `<table class="odds-board"><tbody><tr class="match" data-league="EPL">
<td class="home">Arsenal</td><td class="away">Burnley</td>
<td class="kickoff"><time datetime="${kickoff}"></time></td>
<td class="price-home">6.5</td><td class="price-draw">3.6</td><td class="price-away">4.2</td>
</tr></tbody></table>`;
}

Deno.test({
  name: "fleet live: every instance answers the leader's open value bets, from Redis",
  ignore: !SHARED_REDIS,
  async fn() {
    const kickoff = new Date(Date.now() + 86_400_000).toISOString();
    const board = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response(generousBoard(kickoff), { headers: { "content-type": "text/html" } }),
    );
    const dir = await Deno.makeTempDir();
    const sourcesFile = `${dir}/sources.json`;
    await Deno.writeTextFile(
      sourcesFile,
      JSON.stringify([{
        name: "generous",
        url: `http://127.0.0.1:${(board.addr as Deno.NetAddr).port}/`,
        interval_ms: 1000,
        parser: "html",
      }]),
    );
    try {
      await withFleet(
        async (cluster, redis) => {
          const bets = await waitFor("the same open value bets on every instance", async () => {
            await new Promise((r) => setTimeout(r, 200));
            const answers = await Promise.all(
              cluster.instances.map((i) =>
                i.json<{ value_bets: { match_id: string }[] }>("/api/v1/value-bets")
              ),
            );
            for (const a of answers) {
              assert.equal(a.status, 200, JSON.stringify(a.body));
            }
            const lists = answers.map((a) => JSON.stringify(a.body.value_bets));
            return lists.every((l) => l === lists[0]) && answers[0].body.value_bets.length > 0
              ? answers.map((a) => a.body.value_bets)
              : undefined;
          }, 30_000);
          assert.deepEqual(bets[1], bets[0]);
          assert.deepEqual(bets[2], bets[0]);
          // One instance scraped the source and published the bet; the others answer it from
          // Redis, not from a scrape of their own.
          const stored = await streamEvents(redis, cluster.keyPrefix);
          const published = stored.filter((e) => e.stored.e.type === "value_bet");
          assert.ok(published.length > 0);
          assert.equal(new Set(stored.map((e) => e.stored.by)).size, 1);
        },
        SHARED_REDIS_URL,
        {
          ...ENV,
          DEMO_BOOKMAKER: "false",
          ODDS_SOURCES: sourcesFile,
          ENABLE_RATE_LIMITING: "false",
        },
      );
    } finally {
      await board.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "fleet live: SIGKILL the leader: another scrapes within the lease TTL, no event twice",
  ignore: !SHARED_REDIS,
  fn: () =>
    withFleet(async (cluster, redis) => {
      const leader = await leaderOf(cluster);
      const survivors = cluster.instances.filter((i) => i !== leader);
      const clients = await openClients(cluster);
      try {
        await waitFor("events", () => eventsOf(clients[0]).length >= 3 || undefined);
        const fenceBefore = Number(await redis.get(`${cluster.keyPrefix}fence:demo-sharp`));
        leader.kill("SIGKILL");
        const killedAt = performance.now();
        const fence = await waitFor("a new fencing token", async () => {
          const f = Number(await redis.get(`${cluster.keyPrefix}fence:demo-sharp`));
          return f > fenceBefore ? f : undefined;
        }, 10_000);
        const takeoverMs = performance.now() - killedAt;
        // The lease lapses at most one TTL after the kill; contenders retry every third. The
        // second of slack is for a busy machine's scheduling, not for the lease.
        assert.ok(
          takeoverMs <= LEASE_TTL_MS * 4 / 3 + 1000,
          `lease taken over after ${takeoverMs.toFixed(0)} ms`,
        );
        const next = await leaderOf(cluster, survivors);
        await waitFor("an event of the new leader", async () =>
          (await streamEvents(redis, cluster.keyPrefix)).some((e) =>
            e.stored.by === next.id && e.stored.fence === fence
          ) || undefined);
        const stored = await streamEvents(redis, cluster.keyPrefix);
        assertFencesNeverGoBack(stored);
        // Clients of the survivors saw every event once, in order, without a gap.
        for (const c of [clients[survivors[0].index], clients[survivors[1].index]]) {
          await waitFor("the client to catch up", () =>
            eventsOf(c).some((e) =>
              e.event_id >= stored.at(-1)!.offset
            ) || undefined);
          const ids = eventsOf(c).map((e) =>
            e.event_id
          );
          for (let i = 1; i < ids.length; i++) assert.equal(ids[i], ids[i - 1] + 1);
        }
      } finally {
        await Promise.all(clients.map((c) => c.close().catch(() => {})));
      }
    }),
});

Deno.test({
  name: "fleet live: a leader shutting down (SIGTERM) releases its lease for a follower at once",
  ignore: !SHARED_REDIS,
  fn: () =>
    withFleet(
      async (cluster, redis) => {
        const leader = await leaderOf(cluster);
        const fenceBefore = Number(await redis.get(`${cluster.keyPrefix}fence:demo-sharp`));
        const stopped = leader.stop();
        const t0 = performance.now();
        await waitFor("a new fencing token", async () => {
          const f = Number(await redis.get(`${cluster.keyPrefix}fence:demo-sharp`));
          return f > fenceBefore ? f : undefined;
        }, 10_000);
        const takeoverMs = performance.now() - t0;
        await stopped;
        // An unreleased lease renewed at most a third of its TTL before the signal would stand
        // for at least two thirds of it; a released one goes at a contender's next try.
        assert.ok(
          takeoverMs < SLOW_LEASE_TTL_MS * 2 / 3,
          `lease taken over ${takeoverMs.toFixed(0)} ms after SIGTERM`,
        );
      },
      SHARED_REDIS_URL,
      { ...ENV, FLEET_LEASE_TTL_MS: String(SLOW_LEASE_TTL_MS) },
    ),
});

Deno.test({
  name: "fleet live: a leader paused past its lease writes nothing once resumed",
  ignore: !SHARED_REDIS,
  fn: () =>
    withFleet(async (cluster, redis) => {
      const leader = await leaderOf(cluster);
      const others = cluster.instances.filter((i) => i !== leader);
      await waitFor("events", async () =>
        (await streamEvents(redis, cluster.keyPrefix)).length >= 3 || undefined);
      const oldFence = Number(await redis.get(`${cluster.keyPrefix}fence:demo-sharp`));
      leader.pause();
      try {
        const next = await leaderOf(cluster, others);
        await waitFor("the new leader's events", async () =>
          (await streamEvents(redis, cluster.keyPrefix)).some((e) =>
            e.stored.by === next.id
          ) ||
          undefined);
      } finally {
        leader.resume();
      }
      const takenOverAt = (await streamEvents(redis, cluster.keyPrefix)).at(-1)!.offset;
      // The resumed instance's timers and in-flight scrape run now: give them time to try.
      await waitFor("the resumed instance to see it lost the lease", async () => {
        const v = await leaderSeenBy(leader).catch(() =>
          undefined
        );
        return v && !v.is_leader ? v : undefined;
      });
      await waitFor("more events", async () =>
        (await streamEvents(redis, cluster.keyPrefix)).at(-1)!.offset > takenOverAt + 5 ||
        undefined);
      const stored = await streamEvents(redis, cluster.keyPrefix);
      assertFencesNeverGoBack(stored);
      const late = stored.filter((e) =>
        e.offset > takenOverAt && e.stored.fence === oldFence
      );
      assert.deepEqual(late, [], "no write of the paused leader after the takeover");
      // Its odds writes are fenced too: every quote in the store comes from the new leader.
      assert.ok(
        stored.filter((e) =>
          e.offset > takenOverAt
        ).every((e) => e.stored.by !== leader.id),
      );
    }),
});

Deno.test({
  name:
    "fleet live: a client reconnecting to another instance with since gets exactly what it missed",
  ignore: !SHARED_REDIS,
  fn: () =>
    withFleet(async (cluster) => {
      const [a, b, c] = cluster.instances;
      const ws = (i: FleetInstance) => `${i.url.replace("http", "ws")}/ws`;
      const watcher = await Client.open(ws(b));
      await subscribe(watcher, { topics: TOPICS });
      const first = await Client.open(ws(a));
      await subscribe(first, { topics: TOPICS });
      try {
        await waitFor("events on a", () => eventsOf(first).length >= 3 || undefined);
        await first.close();
        const seen = eventsOf(first);
        const since = seen.at(-1)!.event_id;
        const epoch = first.of("subscribed")[0].epoch;
        assert.ok(epoch, "fleet mode tells the epoch");
        // Events published while the client is away.
        await waitFor("missed events", () =>
          eventsOf(watcher).filter((e) => e.event_id > since).length >= 5 || undefined);
        const back = await Client.open(ws(c));
        try {
          await subscribe(back, { topics: TOPICS, since, epoch });
          const ack = back.of("subscribed")[0];
          assert.equal(ack.recovered, true);
          assert.equal(ack.epoch, epoch);
          assert.ok(ack.replayed >= 5);
          await waitFor("live events after the replay", () =>
            eventsOf(back).length >= ack.replayed + 3 || undefined);
          const got = eventsOf(back);
          const ids = got.map((e) =>
            e.event_id
          );
          assert.equal(ids[0], since + 1);
          for (let i = 1; i < ids.length; i++) {
            assert.equal(ids[i], ids[i - 1] + 1);
          }
          // The same events the watcher got on another instance, byte for byte.
          await waitFor("the watcher", () =>
            eventsOf(watcher).some((e) =>
              e.event_id >= ids.at(-1)!
            ) || undefined);
          const expected = eventsOf(watcher).filter((e) =>
            e.event_id > since && e.event_id <= ids.at(-1)!
          );
          assert.deepEqual(got, expected);
        } finally {
          await back.close();
        }
      } finally {
        await watcher.close();
      }
    }),
});

Deno.test({
  name:
    "fleet live: after FLUSHALL an old since gets recovered: false, the new epoch and a snapshot",
  ignore: !REDIS_SERVER,
  fn: () =>
    withPrivateFleet(async (cluster, redis) => {
      const [a, b] = cluster.instances;
      const ws = (i: FleetInstance) => `${i.url.replace("http", "ws")}/ws`;
      const first = await Client.open(ws(a));
      await subscribe(first, { topics: TOPICS });
      await waitFor("events", () => eventsOf(first).length >= 2 || undefined);
      await first.close();
      const since = eventsOf(first).at(-1)!.event_id;
      const epoch = first.of("subscribed")[0].epoch!;
      await redis.flushall();
      // The fleet starts a new epoch with its next event.
      const back = await Client.open(ws(b));
      try {
        await waitFor("the new epoch", async () => {
          const fresh = await Client.open(ws(b));
          await fresh.close();
          const w = fresh.of("welcome")[0];
          return w.epoch && w.epoch !== epoch && w.last_event_id >= 1 ? w : undefined;
        });
        await subscribe(back, { topics: TOPICS, since, epoch });
        const ack = back.of("subscribed")[0];
        assert.equal(ack.recovered, false);
        assert.equal(ack.truncated, true);
        assert.ok(ack.epoch && ack.epoch !== epoch);
        assert.ok((ack.snapshot?.length ?? 0) > 0, "a snapshot to reload from");
        assert.ok(ack.snapshot!.every((m) => m.id && m.odds.x12.home > 1));
        // Nothing of the old epoch is replayed.
        assert.equal(ack.replayed, 0);
      } finally {
        await back.close();
      }
    }),
});

Deno.test({
  name:
    "fleet live: after FLUSHALL connected clients get recovered: false, the new epoch and a snapshot before its events",
  ignore: !REDIS_SERVER,
  fn: () =>
    withPrivateFleet(async (cluster, redis) => {
      const clients = await openClients(cluster);
      try {
        await waitFor(
          "events everywhere",
          () => clients.every((c) => eventsOf(c).length >= 3) || undefined,
        );
        const epoch = clients[0].of("subscribed")[0].epoch!;
        await redis.flushall();
        for (const c of clients) {
          const told = await waitFor(
            "the new epoch on every connection",
            () => c.of("subscribed").find((m) => m.epoch !== epoch),
          );
          assert.equal(told.recovered, false);
          assert.equal(told.truncated, true);
          assert.deepEqual([...told.topics].sort(), [...TOPICS].sort());
          // The current state to reload from (empty when Redis lost the odds too).
          assert.ok(Array.isArray(told.snapshot), "a snapshot to reload from");
          assert.equal(c.of("subscribed").length, 2, "told once");
          // Every event after the message is of the new epoch, in order from its first ids;
          // every one before it is of the old epoch (ids only grew).
          const at = c.messages.indexOf(told);
          await waitFor(
            "events of the new epoch",
            () =>
              c.messages.slice(at + 1).filter((m) => m.type === "odds").length >= 2 || undefined,
          );
          const before = c.messages.slice(0, at).filter((m): m is EventMessage =>
            m.type === "odds" || m.type === "value_bet"
          ).map((m) => m.event_id);
          const after = c.messages.slice(at + 1).filter((m): m is EventMessage =>
            m.type === "odds" || m.type === "value_bet"
          ).map((m) => m.event_id);
          for (let i = 1; i < before.length; i++) assert.ok(before[i] > before[i - 1]);
          assert.ok(after[0] <= told.last_event_id + 1, `${after[0]} follows the snapshot`);
          assert.ok(after[0] < before.at(-1)!, "ids started again");
          for (let i = 1; i < after.length; i++) assert.ok(after[i] > after[i - 1]);
        }
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    }),
});
