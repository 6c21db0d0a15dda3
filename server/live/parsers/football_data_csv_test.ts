import assert from "node:assert/strict";
import { validateRows } from "../validate.ts";
import { parseCsv, parseFootballDataCsv, ukLocalToIso } from "./football_data_csv.ts";

const FIXTURES = [
  "\ufeffDiv,Date,Time,HomeTeam,AwayTeam,Referee,B365H,B365D,B365A,AvgH,AvgD,AvgA,B365>2.5,B365<2.5,Avg>2.5,Avg<2.5",
  "E0,05/08/2022,20:00,Crystal Palace,Arsenal,,4.2,3.6,1.85,4.39,3.59,1.88,2.1,1.72,2.09,1.76",
  "E0,06/01/2023,15:00,Man United,Nott'm Forest,,1.5,4.5,6.5,,,,1.6,2.3,,",
  'SP1,07/01/2023,17:30,"Ath Bilbao",Sevilla,"Gil, M",2.1,3.2,3.9,2.05,3.25,3.95,2.3,1.6,2.28,1.62',
  "E0,,15:00,Fulham,Chelsea,,3,3.4,2.3,3,3.4,2.3,,,,", // no date
  "E0,08/01/2023,15:00,,Chelsea,,3,3.4,2.3,3,3.4,2.3,,,,", // no home team
  "E0,08/01/2023,15:00,Leeds,Everton,,0.9,3.4,2.3,0.9,3.4,2.3,,,,", // price not above 1
  "XX9,08/01/2023,15:00,Leeds,Everton,,2,3.4,2.3,2,3.4,2.3,,,,", // unknown league
  "E0,31/02/2023,15:00,Leeds,Everton,,2,3.4,2.3,2,3.4,2.3,,,,", // impossible date
  "E0,08/01/2023", // truncated row
].join("\r\n");

Deno.test("parseCsv: handles quotes, escaped quotes and CRLF", () => {
  assert.deepEqual(parseCsv('a,"b,c","d ""e"""\r\n1,2,3\n'), [["a", "b,c", 'd "e"'], [
    "1",
    "2",
    "3",
  ]]);
});

Deno.test("ukLocalToIso: converts UK local time (GMT or BST) to UTC", () => {
  assert.equal(ukLocalToIso("05/08/2022", "20:00"), "2022-08-05T19:00:00.000Z");
  assert.equal(ukLocalToIso("06/01/2023", "15:00"), "2023-01-06T15:00:00.000Z");
  assert.equal(ukLocalToIso("26/03/23", "12:00"), "2023-03-26T11:00:00.000Z");
  assert.equal(ukLocalToIso("31/02/2023", "15:00"), undefined);
  assert.equal(ukLocalToIso("2023-01-06", "15:00"), undefined);
});

Deno.test("parseFootballDataCsv: one row per book priced, rejects broken rows", () => {
  const rows = parseFootballDataCsv(FIXTURES);
  assert.equal(rows.length, 9);
  // Bet365 is a book; the averages beside it are not.
  assert.deepEqual([rows[0].book, rows[0].home_odds, rows[0].over_2_5], ["bet365", "4.2", "2.1"]);
  assert.deepEqual([rows[1].book, rows[1].under_2_5], ["bet365", "2.3"]);
  assert.equal(rows[8].book, undefined); // truncated: no book, no average
  const v = validateRows(rows, { source: "fd" });
  assert.deepEqual(v.matches.map((m) => `${m.league} ${m.home_team}-${m.away_team} ${m.source}`), [
    "england-premier-league Crystal Palace-Arsenal fd/bet365",
    "england-premier-league Man United-Nott'm Forest fd/bet365",
    "spain-laliga Ath Bilbao-Sevilla fd/bet365",
  ]);
  assert.equal(v.matches[0].feed, "fd");
  assert.equal(v.matches[0].kickoff, "2022-08-05T19:00:00.000Z");
  assert.deepEqual(v.matches[0].odds, {
    x12: { home: 4.2, draw: 3.6, away: 1.85 },
    over_2_5: 2.1,
    under_2_5: 1.72,
  });
  assert.deepEqual(v.rejected.map((r) => r.reason), [
    "missing_kickoff",
    "missing_team",
    "bad_odds",
    "unknown_league",
    "bad_kickoff",
    "missing_team",
  ]);
});

/** A fixtures.csv row as the site prints it: six books, then the aggregates. */
const MULTI_BOOK = [
  "Div,Date,Time,HomeTeam,AwayTeam,B365H,B365D,B365A,BWH,BWD,BWA,IWH,IWD,IWA,PSH,PSD,PSA,WHH,WHD,WHA,VCH,VCD,VCA,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA,B365>2.5,B365<2.5,P>2.5,P<2.5,Max>2.5,Max<2.5,Avg>2.5,Avg<2.5",
  "E0,14/01/2023,15:00,Brighton,Liverpool,3.1,3.75,2.2,3.05,3.7,2.25,3.0,3.6,2.3,3.22,3.86,2.25,3.1,3.6,2.2,3.2,3.8,2.2,3.3,3.9,2.32,3.1,3.72,2.23,1.5,2.62,1.53,2.63,1.55,2.7,1.5,2.55",
  // Interwetten's away price is garbage, Bet Victor and the totals are missing.
  "E0,14/01/2023,17:30,Everton,Southampton,2.3,3.3,3.2,2.35,3.25,3.1,2.3,3.3,n/a,2.41,3.35,3.25,2.3,3.2,3.2,,,,2.45,3.4,3.3,2.33,3.3,3.19,,,,,,,,",
].join("\n");

Deno.test("parseFootballDataCsv: a multi-book row gives one entry per book, never an aggregate", () => {
  const v = validateRows(parseFootballDataCsv(MULTI_BOOK), { source: "football-data" });
  const brighton = v.matches.filter((m) => m.home_team === "Brighton");
  assert.deepEqual(brighton.map((m) => m.source), [
    "football-data/bet365",
    "football-data/bwin",
    "football-data/interwetten",
    "football-data/pinnacle",
    "football-data/william-hill",
    "football-data/bet-victor",
  ]);
  assert.ok(brighton.every((m) => m.feed === "football-data"));
  assert.equal(new Set(brighton.map((m) => m.id)).size, 1);
  const pinnacle = brighton[3];
  assert.deepEqual(pinnacle.odds, {
    x12: { home: 3.22, draw: 3.86, away: 2.25 },
    over_2_5: 1.53,
    under_2_5: 2.63,
  });
  assert.equal(brighton[1].odds.over_2_5, undefined); // bwin prints no totals
  // One book's unreadable cell drops that book only.
  const everton = v.matches.filter((m) => m.home_team === "Everton").map((m) => m.source);
  assert.deepEqual(everton, [
    "football-data/bet365",
    "football-data/bwin",
    "football-data/pinnacle",
    "football-data/william-hill",
  ]);
  assert.deepEqual(v.rejected.map((r) => [r.reason, r.row]), [["bad_odds", 8]]);
});

Deno.test("parseFootballDataCsv: a row with only aggregates stays one unnamed entry", () => {
  const text = "Div,Date,Time,HomeTeam,AwayTeam,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA,Avg>2.5,Avg<2.5\n" +
    "E0,14/01/2023,15:00,Brighton,Liverpool,3.3,3.9,2.32,3.1,3.72,2.23,1.55,2.5\n" +
    "E0,14/01/2023,17:30,Everton,Southampton,2.45,3.4,3.3,,,,,";
  const v = validateRows(parseFootballDataCsv(text), { source: "football-data" });
  assert.deepEqual(v.matches.map((m) => [m.source, m.feed, m.odds.x12.home, m.odds.over_2_5]), [
    ["football-data", undefined, 3.1, 1.55],
    ["football-data", undefined, 2.45, undefined], // no average: the maximum
  ]);
});

Deno.test("parseFootballDataCsv: a file without the fixture columns is refused", () => {
  assert.throws(() => parseFootballDataCsv("<html>nope</html>"), /missing column\(s\) Div, Date/);
  assert.throws(() => parseFootballDataCsv(""), /Not a football-data CSV/);
});

Deno.test("parseFootballDataCsv: reads a real season file of the shared data", async () => {
  const path = `${Deno.env.get("DATA_DIR") ?? "../shared/data"}/football-data-co-uk/E0-2022-23.csv`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    console.warn(`skipped: ${path} is not readable`);
    return;
  }
  const v = validateRows(parseFootballDataCsv(text), { source: "fd" });
  assert.equal(new Set(v.matches.map((m) => m.id)).size, 380);
  assert.ok(v.matches.every((m) => m.feed === "fd" && m.source.startsWith("fd/")));
  assert.equal(v.matches.filter((m) => m.source === "fd/pinnacle").length, 380);
  assert.equal(v.rejected.length, 0);
});
