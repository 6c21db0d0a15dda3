import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { bookColumns, loadBookmakerMatches } from "./bookmaker_prices.ts";

const FIXTURE = fileURLToPath(new URL("../testdata/bookmakers", import.meta.url));

Deno.test("bookColumns: finds books by name, not aggregates or closing forms", () => {
  const header = [
    "B365H",
    "B365D",
    "B365A",
    "VCH",
    "VCD",
    "VCA",
    "VCCH",
    "VCCD",
    "VCCA",
    "PSCH",
    "PSCD",
    "PSCA",
    "PSH",
    "PSD",
    "PSA",
    "MaxH",
    "MaxD",
    "MaxA",
    "BbAvH",
    "BbAvD",
    "BbAvA",
    "P>2.5",
    "P<2.5",
    "PC>2.5",
    "PC<2.5",
    "Avg>2.5",
    "Avg<2.5",
    "B365AHH",
    "B365AHA",
  ];
  const books = bookColumns(header);
  assert.deepEqual(books.x12.sort(), ["B365", "PS", "VC"]);
  assert.deepEqual(books.totals25, ["P"]);
});

Deno.test("loadBookmakerMatches: reads every book of both date formats and skips missing ones", async () => {
  const loaded = await loadBookmakerMatches(FIXTURE);
  assert.equal(loaded.rows, 5);
  assert.deepEqual(loaded.rejected, {});
  const [arsenal, fulham, wigan, liverpool, united] = loaded.matches;

  // dd/mm/yy, no Time column: the 2012-13 file with Betbrain aggregates.
  assert.equal(arsenal.match.kickoff.toISOString().slice(0, 10), "2012-08-18");
  assert.equal(arsenal.season, "2012-13");
  assert.deepEqual(arsenal.x12.map((b) => b.book), ["B365", "BW", "PS", "VC"]);
  assert.deepEqual(arsenal.x12[2].prices, [1.44, 4.76, 8.78]);
  assert.deepEqual(arsenal.aggregate.maxX12, [1.44, 4.89, 9.5]);
  assert.deepEqual(arsenal.aggregate.avgX12, [1.4, 4.47, 8.37]);
  assert.deepEqual(arsenal.aggregate.maxTotals25, [1.83, 2.15]);
  assert.deepEqual(arsenal.totals25, [], "no book's own totals before 2019-20");
  assert.deepEqual(arsenal.pinnacleClose, { x12: [1.44, 4.72, 8.71], totals25: undefined });

  // An empty book (BW) and a broken price (VC away "x") leave only those books out.
  assert.deepEqual(fulham.x12.map((b) => b.book), ["B365", "PS"]);
  // No Pinnacle: no Pinnacle book, no closing reference.
  assert.deepEqual(wigan.x12.map((b) => b.book), ["B365", "BW", "VC"]);
  assert.equal(wigan.pinnacleClose.x12, undefined);

  // dd/mm/yyyy with a UK time: the 2019-20 file with Max/Avg and per-book totals.
  assert.equal(liverpool.match.kickoff.toISOString(), "2019-08-09T19:00:00.000Z");
  assert.deepEqual(liverpool.x12.map((b) => b.book), ["B365", "PS", "WH", "VC"]);
  assert.deepEqual(liverpool.totals25, [
    { book: "B365", prices: [1.4, 3] },
    { book: "PS", prices: [1.4, 3.11] },
  ]);
  assert.deepEqual(liverpool.aggregate.maxX12, [1.16, 10, 23]);
  assert.deepEqual(liverpool.pinnacleClose.totals25, [1.34, 3.44]);
  // A COVID-delayed July 2020 match stays in the season of its file.
  assert.equal(united.match.home, "Manchester United");
  assert.equal(united.season, "2019-20");
  assert.equal(united.match.season, "2020-2021");
  assert.deepEqual(united.x12.map((b) => b.book), ["B365", "PS", "VC"]);
});
