import assert from "node:assert/strict";
import { NotLeaderError } from "../fleet/not_leader.ts";
import { ScrapeLoop } from "./scrape_loop.ts";
import type { Scraper } from "./scraper.ts";
import type { SourceConfig } from "./sources.ts";

const SOURCE: SourceConfig = {
  name: "fd",
  url: "http://fd.invalid/fixtures.csv",
  interval_ms: 60_000,
  parser: "football-data-csv",
};
const CSV = [
  "Div,Date,Time,HomeTeam,AwayTeam,AvgH,AvgD,AvgA",
  "E0,02/01/2030,15:00,Arsenal,Chelsea,2.1,3.4,3.6",
  "E0,03/01/2030,15:00,Liverpool,Everton,1.6,4.0,5.5",
].join("\n");

const scraper: Scraper = {
  name: SOURCE.name,
  fetchText: () => Promise.resolve(CSV),
  state: () => "closed",
  close() {},
};

/** A loop over {@link SOURCE} whose matches go to `onMatch`, logging into `logs`. */
function loopOf(onMatch: () => Promise<never>, logs: string[]): ScrapeLoop {
  return new ScrapeLoop({
    sources: [SOURCE],
    signal: new AbortController().signal,
    now: () => new Date("2030-01-01T12:00:00Z"),
    scraperFor: () => scraper,
    log: (m) => logs.push(m),
    onMatch,
  });
}

Deno.test("ScrapeLoop: a lease lost mid-scrape does not mark the source failing", async () => {
  const logs: string[] = [];
  let calls = 0;
  const loop = loopOf(() => {
    calls++;
    return Promise.reject(new NotLeaderError(SOURCE.name));
  }, logs);
  const report = await loop.scrapeOnce(SOURCE.name);
  assert.equal(report.ok, true);
  assert.equal(report.error, undefined);
  assert.equal(report.lost_lease, true);
  assert.equal(report.accepted, 2);
  // The rest of the scrape is the new leader's.
  assert.equal(calls, 1);
  assert.deepEqual(logs, []);
});

Deno.test("ScrapeLoop: another error while storing still marks the source failing, logged once", async () => {
  const logs: string[] = [];
  const loop = loopOf(() => Promise.reject(new Error("Cannot store: disk full")), logs);
  assert.equal((await loop.scrapeOnce(SOURCE.name)).ok, false);
  assert.equal((await loop.scrapeOnce(SOURCE.name)).error, "Cannot store: disk full");
  assert.deepEqual(logs, ['Odds source "fd" failing: Cannot store: disk full']);
});
