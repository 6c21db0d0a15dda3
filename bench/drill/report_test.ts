import assert from "node:assert/strict";
import {
  buildReport,
  DEFAULT_BUDGETS,
  deliveryOf,
  type DrillObservations,
  percentile,
  percentileBounds,
  type PhaseRecord,
  type RequestSample,
  type ResourceSample,
  rssGrowth,
  type ViewerAccount,
} from "./report.ts";
import { parseDrillArgs } from "./main.ts";
import { missingFleetSupport } from "./fleet_support.ts";

/** Events 1-6: odds on match a (EPL), odds on match b (LaLiga), then a value bet on a. */
function ledger(): Map<number, string[]> {
  const odds = (m: string, l: string) => [`match:${m}`, `league:${l}`, "matches"];
  return new Map([
    [1, odds("a", "epl")],
    [2, odds("b", "laliga")],
    [3, odds("a", "epl")],
    [4, odds("b", "laliga")],
    [5, ["match:a", "league:epl", "value-bets"]],
    [6, odds("b", "laliga")],
  ]);
}

function viewer(topics: string[], received: number[], extra: Partial<ViewerAccount> = {}) {
  return {
    topics,
    baseline: 0,
    received,
    duplicates: 0,
    truncated: false,
    reconnects: 0,
    subscribed: true,
    ...extra,
  };
}

function phase(name: string, start: number, end: number, extra: Partial<PhaseRecord> = {}) {
  return {
    name,
    start,
    end,
    eventsPublished: 0,
    eventsDelivered: 0,
    checks: [],
    notes: {},
    ...extra,
  };
}

const requests = (t0: number, n: number, ms: number, extra: Partial<RequestSample> = {}) =>
  Array.from({ length: n }, (_, i) => ({
    t: t0 + i,
    client: "normal" as const,
    status: 200,
    ms,
    ...extra,
  }));

const samples = (t0: number, t1: number, rss: (t: number) => number): ResourceSample[] => {
  const out: ResourceSample[] = [];
  for (let t = t0; t < t1; t += 1000) {
    out.push({
      t,
      rss_bytes: rss(t),
      heap_used_bytes: 1,
      breakers: {},
      connections: 1,
      last_event_id: 0,
    });
  }
  return out;
};

/** A clean run: a steady phase, a rate-limit phase, a restart with refused requests. */
function cleanRun(): DrillObservations {
  return {
    mode: "embedded",
    viewers: 3,
    requests: [
      ...requests(0, 100, 10),
      ...requests(10_000, 100, 12),
      ...requests(10_000, 20, 1, { client: "abuser", status: 429 }),
      ...requests(20_000, 5, 10, { status: 0 }),
    ],
    resources: samples(0, 30_000, () => 100 * 2 ** 20),
    phases: [
      phase("steady", 0, 10_000, { baseline: true }),
      phase("abuse", 10_000, 20_000, { expectsAbuser: true, latencyBudget: true }),
      phase("restart", 20_000, 30_000, { expectsUnanswered: true }),
    ],
    accounts: [
      viewer(["matches", "value-bets"], [1, 2, 3, 4, 5, 6]),
      viewer(["league:epl"], [1, 3, 5]),
      viewer(["match:b"], [4, 6], { baseline: 2 }),
    ],
    ledger: ledger(),
    lastEventId: 6,
    budgets: DEFAULT_BUDGETS,
  };
}

const failing = (o: DrillObservations) =>
  buildReport(o).invariants.filter((c) => !c.ok).map((c) => c.name);

Deno.test("percentile: nearest rank", () => {
  assert.equal(percentile([], 99), 0);
  assert.equal(percentile([5, 1, 3], 50), 3);
  assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99), 99);
});

Deno.test("percentileBounds: the order statistics around the p99 rank", () => {
  const values = Array.from({ length: 500 }, (_, i) => i + 1);
  // 500 x 0.99 = 495 +- 1.645 x sqrt(4.95) = 3.66: ranks 491 and 499.
  assert.deepEqual(percentileBounds(values, 99), { low: 491, high: 499 });
  assert.deepEqual(percentileBounds([], 99), { low: 0, high: 0 });
  assert.deepEqual(percentileBounds([7], 99), { low: 7, high: 7 });
});

Deno.test("deliveryOf: owes each viewer the ledger events on its topics after its baseline", () => {
  const d = deliveryOf(cleanRun().accounts, ledger(), 6);
  assert.equal(d.expected, 6 + 3 + 2);
  assert.equal(d.missing, 0);
  assert.equal(d.ledger_gaps, 0);

  const lossy = deliveryOf([viewer(["league:laliga"], [2, 6])], ledger(), 6);
  assert.equal(lossy.missing, 1, "event 4 is on its league");
  assert.deepEqual(lossy.worst, [{ viewer: 0, expected: 3, received: 2 }]);

  const misrouted = deliveryOf([viewer(["match:a"], [1, 2, 3, 5])], ledger(), 6);
  assert.equal(misrouted.unexpected, 1, "event 2 is on match b");

  const gap = new Map(ledger());
  gap.delete(4);
  assert.equal(deliveryOf([viewer(["matches"], [1, 2, 3, 6])], gap, 6).ledger_gaps, 1);
  assert.equal(deliveryOf([viewer(["matches"], [1, 2, 3, 4, 6])], ledger(), 5).missing, 0);
});

Deno.test("buildReport: a clean run passes", () => {
  const r = buildReport(cleanRun());
  assert.deepEqual(r.invariants.filter((c) => !c.ok), []);
  assert.equal(r.ok, true);
  assert.deepEqual(r.phases[1].abuser_statuses, { "429": 20 });
  assert.equal(r.phases[0].p99_ms, 10);
});

Deno.test("buildReport: fails on a lost, a duplicated or an unrecovered viewer's event", async (t) => {
  await t.step("lost", () => {
    const o = cleanRun();
    o.accounts[1] = viewer(["league:epl"], [1, 5]);
    assert.deepEqual(failing(o), ["no event lost"]);
  });
  await t.step("duplicated", () => {
    const o = cleanRun();
    o.accounts[0].duplicates = 1;
    assert.deepEqual(failing(o), ["no event duplicated or misrouted"]);
  });
  await t.step("not recovered", () => {
    const o = cleanRun();
    o.accounts[2].subscribed = false;
    assert.deepEqual(failing(o), ["every viewer recovered"]);
  });
});

Deno.test("buildReport: a 5xx or an unanswered request fails only where the phase does not expect it", () => {
  const o = cleanRun();
  const failure = { request: "GET 127.0.0.1:8001/api/v1/value-bets", code: "redis_unavailable" };
  o.requests.push(...requests(25_000, 1, 10, { status: 503, failure }));
  assert.deepEqual(failing(o), ["no unexpected 5xx"]);
  const check = buildReport(o).invariants.find((c) => c.name === "no unexpected 5xx")!;
  assert.match(
    check.detail,
    /25\.0 s 503 redis_unavailable GET 127\.0\.0\.1:8001\/api\/v1\/value-bets/,
  );
  const refused = cleanRun();
  refused.requests.push(...requests(5_000, 1, 10, { status: 0 }));
  assert.deepEqual(failing(refused), ["no unexpected 5xx"]);
  // While Redis is away the documented 503 is expected, any other 5xx is not.
  const outage = cleanRun();
  outage.phases[2].expectsRedisOutage = true;
  outage.requests.push(...requests(25_000, 1, 10, { status: 503 }));
  assert.deepEqual(failing(outage), []);
  outage.requests.push(...requests(25_000, 1, 1, { status: 500 }));
  assert.deepEqual(failing(outage), ["no unexpected 5xx"]);
  // Sent just before the outage phase and answered in it: the outage's 503, expected...
  const boundary = cleanRun();
  boundary.phases[2].expectsRedisOutage = true;
  const start = boundary.phases[2].start;
  boundary.requests.push(...requests(start - 5, 1, 40, { status: 503 }));
  assert.deepEqual(failing(boundary), []);
  // ...but not one answered before the outage began.
  boundary.requests.push(...requests(start - 50, 1, 40, { status: 503 }));
  assert.deepEqual(failing(boundary), ["no unexpected 5xx"]);
  // The same for a request in flight when a restart phase stops the service.
  const restart = cleanRun();
  restart.phases[2].expectsUnanswered = true;
  restart.requests.push(...requests(restart.phases[2].start - 5, 1, 40, { status: 0 }));
  assert.deepEqual(failing(restart), []);
});

Deno.test("buildReport: 429s for anyone but the abuser, or none for it, fail", () => {
  const o = cleanRun();
  o.requests.push(...requests(12_000, 1, 10, { status: 429 }));
  assert.deepEqual(failing(o), ["only the abusive client is limited"]);
  const none = cleanRun();
  none.requests = none.requests.filter((r) => r.client !== "abuser");
  assert.deepEqual(failing(none), ["only the abusive client is limited"]);
});

Deno.test("buildReport: p99 over twice the steady state's (and over the floor) fails", () => {
  const o = cleanRun();
  o.requests = o.requests.filter((r) => !(r.client === "normal" && r.t >= 10_000 && r.t < 20_000));
  o.requests.push(...requests(10_000, 100, 34));
  assert.deepEqual(failing(o), [], "34 ms is within 10 ms + the 25 ms floor");
  o.requests.push(...requests(15_000, 5, 200));
  assert.deepEqual(failing(o), ["p99 within budget"]);
});

Deno.test("buildReport: a pause that slows a handful of ~500 requests is noise, a slow tail is not", () => {
  const run = (slow: number) => {
    const o = cleanRun();
    o.requests = o.requests.filter((r) => r.client !== "normal" || r.t >= 20_000);
    o.requests.push(...requests(0, 480, 10), ...requests(10_000, 480 - slow, 12));
    o.requests.push(...requests(15_000, slow, 80));
    return failing(o);
  };
  assert.deepEqual(run(5), [], "5 of 480 at 80 ms: the p99's low bound is still 12 ms");
  assert.deepEqual(run(15), ["p99 within budget"], "15 of 480 at 80 ms is a slow tail");
});

Deno.test("rssGrowth: judged only over a minute or more, after the warm-up fifth", () => {
  assert.equal(rssGrowth(samples(0, 30_000, (t) => t)), null);
  // Flat after warm-up: the first fifth's climb does not count.
  const flat = samples(0, 100_000, (t) => (t < 20_000 ? 50 + t / 1000 : 100) * 2 ** 20);
  assert.equal(rssGrowth(flat), 0);
  const leak = samples(0, 100_000, (t) => (100 + t / 2000) * 2 ** 20);
  assert.ok(rssGrowth(leak)! > 0.2);
  const o = cleanRun();
  o.phases[2] = phase("restart", 20_000, 120_000, { expectsUnanswered: true });
  o.resources = samples(
    0,
    120_000,
    (t) => (t < 20_000 ? 100 : 100 + (t - 20_000) / 2000) * 2 ** 20,
  );
  assert.deepEqual(failing(o), ["memory bounded"]);
});

Deno.test("parseDrillArgs: defaults, values and refusals", () => {
  assert.deepEqual(parseDrillArgs([]), {
    minutes: 5,
    viewers: 1000,
    rate: 40,
    fleet: false,
    dropEveryNth: 0,
  });
  const a = parseDrillArgs(["--minutes", "2", "--viewers=300", "--json", "r.json", "--fleet"]);
  assert.equal(a.minutes, 2);
  assert.equal(a.viewers, 300);
  assert.equal(a.json, "r.json");
  assert.equal(a.fleet, true);
  assert.throws(() => parseDrillArgs(["--minutes", "-1"]), /positive number after --minutes/);
  assert.throws(() => parseDrillArgs(["--drop-every", "0"]), /whole number/);
  assert.throws(() => parseDrillArgs(["--bogus"]), /Unknown argument "--bogus"/);
});

Deno.test("missingFleetSupport: names each missing variable, Redis at start and the shared broker", () => {
  const local = "const broker = createLocalBroker(log);";
  assert.deepEqual(missingFleetSupport(["REDIS_URL"], "import './http/app.ts'", local), [
    "the config does not read REDIS_KEY_PREFIX",
    "the config does not read INSTANCE_ID",
    "server/main.ts does not open Redis in fleet mode",
    "server/live/live_services.ts publishes through the in-process broker only (no shared " +
    "event stream: events, replay and epochs are per instance)",
  ]);
  assert.deepEqual(
    missingFleetSupport(
      ["REDIS_URL", "REDIS_KEY_PREFIX", "INSTANCE_ID"],
      'import { x } from "./fleet/fleet.ts";',
      "const broker = fleet ? createRedisBroker(fleet, log) : createLocalBroker(log);",
    ),
    [],
  );
});

Deno.test("buildReport: events are owed per epoch; reloads pass only where an epoch change is expected", () => {
  const o = cleanRun();
  // Epoch "e1" (events 1-6) ended with a Redis restart; "e2" numbers again from 1.
  o.pastEpochs = new Map([["e1", ledger()], [
    "e2",
    new Map([[1, ["match:a", "league:epl", "matches"]]]),
  ]]);
  o.epoch = "e2";
  o.ledger = o.pastEpochs.get("e2")!;
  o.lastEventId = 1;
  o.accounts = [
    { ...viewer(["matches", "value-bets"], [1, 2, 3, 4, 5, 6]), epoch: "e1", reloads: 1 },
    { ...viewer(["matches", "value-bets"], [1]), epoch: "e2" },
    { ...viewer(["league:laliga"], [2, 4]), epoch: "e1", reloads: 1 },
    { ...viewer(["league:laliga"], []), epoch: "e2" },
  ];
  assert.deepEqual(
    failing(o),
    ["no event lost", "every viewer recovered"],
    "6 of e1 lost, reloads unexpected",
  );
  o.accounts[2].received.push(6);
  o.phases[2].expectsEpochChange = true;
  assert.deepEqual(failing(o), []);
  assert.equal(buildReport(o).delivery.reloads, 2);
  assert.equal(buildReport(o).delivery.expected, 6 + 3 + 1);
});
