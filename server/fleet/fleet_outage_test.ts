/**
 * A Redis outage seen from real service processes: with the fleet's private redis-server
 * stopped, every GET API route and the pages answer either from local state or with the
 * documented 503 `redis_unavailable` (with Retry-After; a page as HTML), never another 5xx; the outage is
 * logged once, not per request; and everything answers 200 again once Redis is back.
 */
import assert from "node:assert/strict";
import { FleetCluster, type FleetInstance } from "../testing/fleet_cluster.ts";
import { PrivateRedis, REDIS_SERVER } from "./test_redis.ts";

const ENV = {
  DEMO_BOOKMAKER: "true",
  DEMO_TICK_MS: "150",
  DEMO_SCRAPE_MS: "250",
  FLEET_LEASE_TTL_MS: "2000",
  LOG_LEVEL: "warn",
};

if (!REDIS_SERVER) console.warn("Skipping fleet outage tests: no redis-server installed");

/** Every GET route a client reads (API and pages), with a match id the demo bookmaker lists. */
function paths(matchId: string): string[] {
  return [
    "/api/v1/leagues",
    "/api/v1/leagues/epl/teams",
    "/api/v1/matches/upcoming",
    `/api/v1/matches/${encodeURIComponent(matchId)}`,
    "/api/v1/alerts",
    "/api/v1/alerts/performance",
    "/api/v1/value-bets",
    "/health",
    "/health/live",
    "/openapi.json",
    "/",
    "/value-bets",
    "/predict",
    "/model",
    `/match/${encodeURIComponent(matchId)}`,
  ];
}

interface Answer {
  path: string;
  status: number;
  code?: string;
  /** The answer is an HTML page (the pages' 503 is a page, the API's JSON). */
  html: boolean;
  retryAfter: string | null;
}

async function get(instance: FleetInstance, path: string): Promise<Answer> {
  const res = await fetch(instance.url + path, { signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = JSON.parse(text)?.error?.code;
  } catch { /* a page */ }
  const html = (res.headers.get("content-type") ?? "").startsWith("text/html");
  return { path, status: res.status, code, html, retryAfter: res.headers.get("retry-after") };
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000) {
  const end = performance.now() + ms;
  while (true) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test({
  name: "fleet outage: with Redis away no route answers a 5xx but the documented 503, then 200",
  ignore: !REDIS_SERVER,
  sanitizeResources: false,
  async fn() {
    const server = new PrivateRedis();
    await server.start();
    const cluster = await FleetCluster.start({ instances: 2, env: ENV, redisUrl: server.url });
    try {
      const a = cluster.at(0);
      const matchId = await waitFor("a listed match", async () => {
        const { body } = await a.json<{ matches?: { id: string }[] }>("/api/v1/matches/upcoming");
        return body.matches?.[0]?.id;
      });
      const before = await Promise.all(paths(matchId).map((p) => get(a, p)));
      assert.deepEqual(before.filter((x) => x.status !== 200), [], "all 200 with Redis up");
      await server.stop();
      await waitFor("both instances to see the outage", async () => {
        const states = await Promise.all(
          cluster.instances.map((i) =>
            i.json<{ components: { redis?: { state: string } } }>("/health")
          ),
        );
        return states.every((s) => s.body.components.redis?.state === "degraded") || undefined;
      });
      // Twice, so a per-request log line would show as more than one.
      const during: Answer[] = [];
      for (let round = 0; round < 2; round++) {
        for (const i of cluster.instances) {
          during.push(...await Promise.all(paths(matchId).map((p) => get(i, p))));
        }
      }
      const isPage = (path: string) => !/^\/(api|health|openapi)/.test(path);
      const wrong = during.filter((x) =>
        x.status >= 500 &&
        !(x.status === 503 && x.retryAfter &&
          (isPage(x.path) ? x.html : x.code === "redis_unavailable"))
      );
      assert.deepEqual(wrong, [], "no 5xx but the documented 503 while Redis is away");
      const unavailable = during.filter((x) => x.status === 503).map((x) => x.path);
      // The odds live only in Redis: their routes say so; the rest answers from local state.
      assert.ok(unavailable.includes("/api/v1/matches/upcoming"), unavailable.join(", "));
      assert.ok(during.some((x) => x.path === "/api/v1/alerts" && x.status === 200));
      assert.ok(during.some((x) => x.path === "/api/v1/leagues" && x.status === 200));
      const outageLines = (i: FleetInstance) =>
        i.lines.filter((l) =>
          l.includes("Redis unavailable") || l.includes("redis_unavailable") ||
          l.includes("Unhandled error")
        );
      // The service batches stdout lines (up to 50 ms) and a pipe adds its own delay: wait for
      // the outage line, then give any per-request lines time to follow before counting.
      for (const i of cluster.instances) {
        await waitFor(
          `the outage line of ${i.id}`,
          () => Promise.resolve(outageLines(i).length > 0 || undefined),
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
      for (const i of cluster.instances) {
        const lines = outageLines(i);
        assert.equal(lines.length, 1, `one outage line on ${i.id}:\n${lines.join("\n")}`);
      }
      await server.start();
      await waitFor("every route to answer 200 again", async () => {
        const after = await Promise.all(
          cluster.instances.flatMap((i) => paths(matchId).map((p) => get(i, p))),
        );
        return after.every((x) => x.status === 200) || undefined;
      }, 60_000);
    } finally {
      await cluster.close();
      await server.stop();
    }
  },
});
