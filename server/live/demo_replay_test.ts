import assert from "node:assert/strict";
import { loadMarketMoves, parseMoves } from "./demo_replay.ts";

const CSV = [
  "Date,Season,HomeTeam,AwayTeam,home_close,home_open,draw_close,draw_open,away_close,away_open," +
  "over_2.5_close,over_2.5_open,under_2.5_close,under_2.5_open,bts_yes_close,bts_yes_open," +
  "bts_no_close,bts_no_open",
  "2020-01-01 15:00:00,2019-2020,A,B,1.8,2.0,3.6,3.5,4.8,4.0,1.9,2.0,1.9,1.8,,,,",
  "2020-01-02 15:00:00,2019-2020,C,D,,2.0,,3.5,,4.0,,,,,,,,",
  "",
].join("\n");

Deno.test("parseMoves: opening and closing fair probabilities, rows without both skipped", () => {
  const moves = parseMoves(CSV, "x");
  assert.equal(moves.length, 1, "the row without closing prices is skipped");
  const [m] = moves;
  assert.equal(m.origin, "x 2019-2020 A v B");
  const sum = (p: number[]) => p.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(m.open.x12) - 1) < 1e-12 && Math.abs(sum(m.close.x12) - 1) < 1e-12);
  assert.ok(m.close.x12[0] > m.open.x12[0], "home shortened from 2.0 to 1.8");
  assert.ok(m.open.totals && m.close.totals);
  assert.equal(m.open.btts, undefined, "empty BTTS cells leave the market out");
});

Deno.test("loadMarketMoves: reads the shared leagues files, skips a missing folder", async () => {
  const moves = await loadMarketMoves("../shared/data", ["england-premier-league"]);
  assert.ok((moves.get("england-premier-league")?.length ?? 0) > 3000);
  assert.equal((await loadMarketMoves("/nonexistent", ["england-premier-league"])).size, 0);
});
