import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { mulberry32, simulateLeague } from "./dixon_coles/simulate.ts";

const BACKTEST = fileURLToPath(new URL("./backtest.ts", import.meta.url));

/** Five simulated seasons in the shared `leagues/` format, with opening and closing prices. */
function leaguesCsv(): string {
  const rand = mulberry32(7);
  const teams = Array.from({ length: 12 }, (_, i) => `Club ${i}`);
  const matches = simulateLeague({
    teams,
    attack: teams.map(() => (rand() - 0.5) * 0.8),
    defence: teams.map(() => (rand() - 0.5) * 0.8),
    seasons: 5,
    league: "england-premier-league",
    seed: 7,
  });
  const header = "Date,country,league,Season,HomeTeam,AwayTeam,FTHG,FTAG,HTHG,HTAG," +
    "home_close,home_open,draw_close,draw_open,away_close,away_open," +
    "over_2.5_close,over_2.5_open,under_2.5_close,under_2.5_open";
  const rows = matches.map((m) => {
    const home = (2 + rand()).toFixed(2), away = (3 + 2 * rand()).toFixed(2);
    return [
      m.kickoff.toISOString().slice(0, 16).replace("T", " "),
      "england",
      "premier-league",
      m.season,
      m.home,
      m.away,
      m.homeGoals,
      m.awayGoals,
      0,
      0,
      home,
      home,
      "3.40",
      "3.40",
      away,
      away,
      "1.90",
      "1.90",
      "1.95",
      "1.95",
    ].join(",");
  });
  return [header, ...rows].join("\n") + "\n";
}

async function backtest(cwd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", BACKTEST, "--data", "matches.csv", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

async function files(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("backtest command: writes reliability diagrams only where --svg-dir says", async (t) => {
  const cwd = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${cwd}/matches.csv`, leaguesCsv());
    await t.step("without --svg-dir it writes no file, docs/models included", async () => {
      await backtest(cwd, ["--variant", "fundamental"]);
      assert.deepEqual(await files(cwd), ["matches.csv"]);
    });
    await t.step("--svg-dir writes one diagram per variant and the market", async () => {
      await backtest(cwd, ["--variant", "fundamental", "--svg-dir", "figures"]);
      assert.deepEqual(await files(`${cwd}/figures`), [
        "reliability-fundamental.svg",
        "reliability-market_open.svg",
      ]);
      const svg = await Deno.readTextFile(`${cwd}/figures/reliability-fundamental.svg`);
      assert.match(svg, /^<svg[^>]*>[\s\S]*Reliability: fundamental[\s\S]*<\/svg>\s*$/);
    });
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
