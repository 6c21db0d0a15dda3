import assert from "node:assert/strict";
import { loadMatches } from "./load.ts";

const testdata = new URL("../testdata/", import.meta.url);
const leaguesSmall = new URL("matches/leagues_small.csv", testdata);
const footballDataMini = new URL("matches/football_data/E0-mini.csv", testdata);

Deno.test("loadMatches: reads the shared leagues/ format and counts bad rows by reason", async () => {
  const { matches, rows, rejected } = await loadMatches(leaguesSmall.pathname);
  assert.equal(rows, 18);
  assert.deepEqual(rejected, {
    duplicate: 1,
    bad_date: 2,
    bad_goals: 1,
    empty_team: 1,
    bad_odds: 2,
    malformed_line: 4,
  });
  assert.deepEqual(matches.map((m) => m.id), [
    "england-premier-league:2022-08-05:Crystal Palace:Arsenal",
    "england-premier-league:2022-08-06:Manchester United:Brighton",
    "england-premier-league:2022-08-06:Fulham:Liverpool",
    "england-premier-league:2022-08-07:West Ham:Manchester City",
    "england-premier-league:2022-08-07:Tottenham:Southampton",
    "spain-laliga:2022-08-13:Atl. Madrid:Getafe",
    "spain-laliga:2022-08-13:Barcelona:Rayo Vallecano",
  ]);
  const palace = matches[0];
  // 21:00 Central European summer time is 19:00 UTC.
  assert.equal(palace.kickoff.toISOString(), "2022-08-05T19:00:00.000Z");
  assert.equal(palace.season, "2022-2023");
  assert.equal(palace.homeGoals, 0);
  assert.equal(palace.awayGoals, 2);
  assert.deepEqual(palace.opening, {
    x12: { home: 3.33, draw: 3.34, away: 2.07 },
    totals25: { over: 1.92, under: 1.88 },
    btts: { yes: 1.75, no: 2.04 },
  });
  assert.deepEqual(palace.closing.x12, { home: 4.58, draw: 3.57, away: 1.85 });
  // Fulham (first copy kept: 2-2, not the 9-9 duplicate).
  assert.equal(matches[2].homeGoals, 2);
  // No BTTS prices: that part is missing, the rest kept.
  assert.equal(matches[1].opening.btts, undefined);
  assert.ok(matches[1].opening.x12);
  // No prices at all: kept with empty snapshots.
  assert.deepEqual(matches[3].opening, {});
  assert.deepEqual(matches[3].closing, {});
});

Deno.test("loadMatches: reads football-data.co.uk files with bookmaker fallbacks", async () => {
  const { matches, rows, rejected } = await loadMatches(footballDataMini.pathname);
  assert.equal(rows, 7);
  assert.deepEqual(rejected, { bad_date: 2, bad_odds: 1 });
  const byId = new Map(matches.map((m) => [m.id, m]));
  const palace = byId.get("england-premier-league:2022-08-05:Crystal Palace:Arsenal")!;
  assert.equal(palace.kickoff.toISOString(), "2022-08-05T19:00:00.000Z");
  assert.deepEqual(palace.opening, {
    x12: { home: 4.5, draw: 3.65, away: 1.89 },
    totals25: { over: 2.14, under: 1.78 },
  });
  assert.deepEqual(palace.closing, {
    x12: { home: 4.58, draw: 3.63, away: 1.88 },
    totals25: { over: 2.14, under: 1.78 },
  });
  // dd/mm/yy date, aliases, no Pinnacle: market average opening, Bet365 closing.
  const united = byId.get("england-premier-league:2022-08-06:Manchester United:Nottingham")!;
  assert.equal(united.kickoff.toISOString(), "2022-08-06T11:30:00.000Z");
  assert.equal(united.season, "2022-2023");
  assert.deepEqual(united.opening, {
    x12: { home: 1.52, draw: 4.4, away: 6.2 },
    totals25: { over: 1.7, under: 2.2 },
  });
  assert.deepEqual(united.closing, { x12: { home: 1.45, draw: 4.6, away: 7 } });
  // After the October clock change UK time is UTC.
  const city = byId.get("england-premier-league:2022-10-30:Manchester City:Newcastle Utd")!;
  assert.equal(city.kickoff.toISOString(), "2022-10-30T14:00:00.000Z");
  assert.deepEqual(city.opening, { x12: { home: 1.3, draw: 5.5, away: 9 } });
  assert.deepEqual(city.closing, {});
  // Unknown division: fd-<code>; no Time column value: noon UK time.
  const celtic = byId.get("fd-sc0:2022-08-07:Celtic:Rangers")!;
  assert.equal(celtic.kickoff.toISOString(), "2022-08-07T11:00:00.000Z");
  assert.equal(matches.length, 4);
});

Deno.test("loadMatches: walks folders and de-duplicates across formats", async () => {
  const { matches, rows, rejected } = await loadMatches(new URL("matches/", testdata).pathname);
  // Folder order: football_data/E0-mini.csv, then leagues_small.csv; the Palace-Arsenal match
  // appears in both, the first (football-data.co.uk, Pinnacle) copy is kept.
  assert.equal(rows, 25);
  assert.equal(rejected.duplicate, 2);
  assert.equal(matches.length, 4 + 7 - 1);
  const palace = matches.find((m) => m.home === "Crystal Palace")!;
  assert.equal(palace.opening.x12?.home, 4.5);
  for (let i = 1; i < matches.length; i++) {
    assert.ok(matches[i - 1].kickoff <= matches[i].kickoff, "sorted by kick-off");
  }
});

Deno.test("loadMatches: accepts several sources and file: URLs", async () => {
  const { matches } = await loadMatches([leaguesSmall.href, footballDataMini]);
  assert.equal(matches.length, 10);
});

Deno.test("loadMatches: fetches http sources from a real loopback server", async (t) => {
  const body = await Deno.readTextFile(leaguesSmall);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/leagues.csv") {
      return new Response(body, { headers: { "content-type": "text/csv" } });
    }
    return new Response("not here", { status: 404 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    await t.step("loads the body like a file", async () => {
      const { matches, rows } = await loadMatches(`${base}/leagues.csv`);
      assert.equal(rows, 18);
      assert.equal(matches.length, 7);
    });
    await t.step("uses the injected fetch", async () => {
      const seen: string[] = [];
      const spy: typeof fetch = (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      };
      await loadMatches(`${base}/leagues.csv`, { fetch: spy });
      assert.deepEqual(seen, [`${base}/leagues.csv`]);
    });
    await t.step("turns an HTTP error into a clear error", async () => {
      await assert.rejects(
        () => loadMatches(`${base}/missing.csv`),
        { message: `Cannot load "${base}/missing.csv": HTTP 404` },
      );
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("loadMatches: rejects unknown headers and missing paths clearly", async () => {
  const unknown = new URL("unknown_header.csv", testdata).pathname;
  await assert.rejects(() => loadMatches(unknown), {
    message:
      `Cannot load "${unknown}": unrecognised header (expected the shared leagues/ or football-data.co.uk columns)`,
  });
  await assert.rejects(() => loadMatches("/nonexistent/matches.csv"), {
    message: 'Cannot load "/nonexistent/matches.csv": no such file or folder',
  });
});
