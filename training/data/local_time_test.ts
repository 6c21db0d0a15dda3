import assert from "node:assert/strict";
import { isValidLocal, localToUtc } from "./local_time.ts";

const at = (year: number, month: number, day: number, hour: number, minute = 0) => ({
  year,
  month,
  day,
  hour,
  minute,
  second: 0,
});

Deno.test("localToUtc: applies summer and winter offsets", () => {
  // 5 Aug 2022 20:00 in London is BST (UTC+1); in Berlin 21:00 is CEST (UTC+2): same instant.
  assert.equal(
    localToUtc(at(2022, 8, 5, 20), "Europe/London").toISOString(),
    "2022-08-05T19:00:00.000Z",
  );
  assert.equal(
    localToUtc(at(2022, 8, 5, 21), "Europe/Berlin").toISOString(),
    "2022-08-05T19:00:00.000Z",
  );
  // 12 Nov 2022 15:00 in London is GMT (UTC+0); 26 Dec 2022 in Berlin is CET (UTC+1).
  assert.equal(
    localToUtc(at(2022, 11, 12, 15), "Europe/London").toISOString(),
    "2022-11-12T15:00:00.000Z",
  );
  assert.equal(
    localToUtc(at(2022, 12, 26, 16, 30), "Europe/Berlin").toISOString(),
    "2022-12-26T15:30:00.000Z",
  );
});

Deno.test("localToUtc: handles the day clocks change", () => {
  // 27 Mar 2022: London moves to BST at 01:00 UTC. 14:00 local that day is 13:00 UTC.
  assert.equal(
    localToUtc(at(2022, 3, 27, 14), "Europe/London").toISOString(),
    "2022-03-27T13:00:00.000Z",
  );
  // 30 Oct 2022: back to GMT at 01:00 UTC. 14:00 local is 14:00 UTC.
  assert.equal(
    localToUtc(at(2022, 10, 30, 14), "Europe/London").toISOString(),
    "2022-10-30T14:00:00.000Z",
  );
});

Deno.test("isValidLocal: rejects impossible dates", () => {
  assert.equal(isValidLocal(at(2024, 2, 29, 12)), true);
  assert.equal(isValidLocal(at(2023, 2, 29, 12)), false);
  assert.equal(isValidLocal(at(2023, 13, 1, 12)), false);
  assert.equal(isValidLocal(at(2023, 4, 31, 12)), false);
  assert.equal(isValidLocal(at(2023, 4, 30, 24)), false);
  assert.equal(isValidLocal({ ...at(2023, 4, 30, 12), minute: Number.NaN }), false);
});
