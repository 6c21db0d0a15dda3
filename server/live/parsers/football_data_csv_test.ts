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

Deno.test("parseFootballDataCsv: reads averages, falls back to Bet365, rejects broken rows", () => {
  const rows = parseFootballDataCsv(FIXTURES);
  assert.equal(rows.length, 9);
  assert.equal(rows[0].home_odds, "4.39");
  assert.equal(rows[0].over_2_5, "2.09");
  assert.equal(rows[1].home_odds, "1.5"); // no average: Bet365
  assert.equal(rows[1].under_2_5, "2.3");
  const v = validateRows(rows, { source: "fd" });
  assert.deepEqual(v.matches.map((m) => `${m.league} ${m.home_team}-${m.away_team}`), [
    "england-premier-league Crystal Palace-Arsenal",
    "england-premier-league Man United-Nott'm Forest",
    "spain-laliga Ath Bilbao-Sevilla",
  ]);
  assert.equal(v.matches[0].kickoff, "2022-08-05T19:00:00.000Z");
  assert.deepEqual(v.matches[0].odds, {
    x12: { home: 4.39, draw: 3.59, away: 1.88 },
    over_2_5: 2.09,
    under_2_5: 1.76,
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
  assert.equal(v.matches.length, 380);
  assert.equal(v.rejected.length, 0);
});
