import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseSeasons } from "./command.ts";
import { loadValuePolicy } from "../../server/predict/value_policy.ts";
import { writeSyntheticSeasons } from "./synthetic_market.ts";

const BACKTEST = fileURLToPath(new URL("../backtest.ts", import.meta.url));

async function backtest(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", BACKTEST, "--value-bets", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("parseSeasons: ranges and lists of season labels", () => {
  assert.deepEqual(parseSeasons("2018-19..2020-21"), ["2018-19", "2019-20", "2020-21"]);
  assert.deepEqual(parseSeasons("1999-00,2012-13"), ["1999-00", "2012-13"]);
  assert.throws(() => parseSeasons("2019..2020"), /Invalid season range "2019..2020"/);
  assert.throws(() => parseSeasons("2020-21..2019-20"), /ends before it starts/);
});

Deno.test("backtest --value-bets: reports on stdout, writes files only where flags say", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSyntheticSeasons(`${dir}/data`, 2015, 2020);
    const common = [
      "--bookmakers-dir",
      `${dir}/data`,
      "--choose-seasons",
      "2015-16..2017-18",
      "--evaluate-seasons",
      "2018-19..2020-21",
      "--min-choice-picks",
      "20",
      "--resamples",
      "200",
    ];
    const plain = await backtest(common);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /EVALUATION/);
    assert.match(plain.stderr, /choosing policy/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["data"]);

    const run = await backtest([
      ...common,
      "--json",
      `${dir}/report.json`,
      "--write-policy",
      `${dir}/policy.json`,
      "--svg-dir",
      `${dir}/svg`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    const v = report.value_bets;
    assert.ok(v.count > 0);
    assert.ok(v.mean_clv_ci95[0] <= v.mean_clv && v.mean_clv <= v.mean_clv_ci95[1]);
    assert.ok(v.roi_ci95[0] <= v.roi && v.roi <= v.roi_ci95[1]);
    assert.deepEqual(Object.keys(v.policy).sort(), [
      "markets",
      "max_odds",
      "min_books",
      "min_edge",
      "min_odds",
    ]);
    // The written policy is one the service starts with, loaded by the service's own loader.
    const served = await Deno.makeTempDir({ dir });
    await Deno.copyFile(`${dir}/policy.json`, `${served}/value_policy.json`);
    const policy = await loadValuePolicy(served);
    assert.deepEqual(policy, report.policy_file);
    assert.equal(policy.evaluated_on!.picks, v.count);
    assert.ok(policy.close_edge <= policy.min_edge);
    assert.ok(await exists(`${dir}/svg/value-bets-clv-by-edge.svg`));

    // The committed policy scored on other seasons, nothing chosen again.
    const scorePolicy = (file: string, ...more: string[]) =>
      backtest([
        "--bookmakers-dir",
        `${dir}/data`,
        "--policy",
        file,
        "--evaluate-seasons",
        "2019-20..2020-21",
        "--resamples",
        "200",
        ...more,
      ]);
    const later = await scorePolicy(`${dir}/policy.json`, "--json", `${dir}/later.json`);
    assert.equal(later.code, 0, later.stderr);
    const laterReport = JSON.parse(await Deno.readTextFile(`${dir}/later.json`));
    assert.deepEqual(laterReport.policy, v.policy);
    assert.equal(laterReport.criterion, "fixed");

    // A policy the service would refuse is refused here too, reading and writing.
    const strict = { ...policy, min_edge: 9.5 };
    await Deno.writeTextFile(`${dir}/strict.json`, JSON.stringify(strict));
    const none = await scorePolicy(`${dir}/strict.json`, "--write-policy", `${dir}/none.json`);
    assert.notEqual(none.code, 0);
    assert.match(
      none.stderr,
      /Cannot write value policy ".*none\.json": the service would refuse it: /,
    );
    assert.match(none.stderr, /evaluated_on\.mean_clv: /);
    assert.equal(await exists(`${dir}/none.json`), false);
    await Deno.writeTextFile(`${dir}/flap.json`, JSON.stringify({ ...policy, close_edge: 0.5 }));
    const flap = await scorePolicy(`${dir}/flap.json`);
    assert.notEqual(flap.code, 0);
    assert.match(
      flap.stderr,
      /Cannot load value policy ".*flap\.json": close_edge: Must be at most min_edge/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest --value-bets: bad arguments exit non-zero and say what to fix", async () => {
  const bad = await backtest(["--choose-seasons", "2012..2013"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Invalid season range "2012..2013": expected YYYY-YY/);
  const overlap = await backtest(["--choose-seasons", "2018-19..2019-20"]);
  assert.notEqual(overlap.code, 0);
  assert.match(overlap.stderr, /Seasons "2019-20" cannot be both chosen on and evaluated on/);
});
