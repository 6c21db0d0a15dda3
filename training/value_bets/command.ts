/**
 * `deno task backtest --value-bets [--bookmakers-dir DIR] [--choose-seasons A..B]
 *   [--evaluate-seasons C..D] [--policy FILE] [--json FILE] [--write-policy FILE]
 *   [--svg-dir DIR] [--resamples N] [--seed N] [--min-choice-picks N]
 *   [--criterion z|lower_bound] [--model] [--league KEY...]`
 *
 * `--model` also runs our results-only walk-forward model over the same matches and blends it
 * with the market's fair probability at the weight that scores best on the choice seasons
 * (0 when it does not help).
 *
 * The value-bet backtest on football-data.co.uk files with every bookmaker's prices. With
 * `--policy` it scores a committed policy on other seasons (those after it was chosen) without
 * choosing anything. Files are written only where a flag names them.
 * @module
 */
import { parseArgs } from "node:util";
import type { MatchRecord } from "../../server/domain/types.ts";
import { parseValuePolicy } from "../../server/predict/value_policy.ts";
import type { EnsemblePrediction } from "../ensemble/walk_forward.ts";
import { type BookmakerMatch, loadBookmakerMatches } from "../data/bookmaker_prices.ts";
import { sharedDataDir } from "../data/data_dir.ts";
import { DIVISIONS } from "../data/football_data_format.ts";
import { type Progress, progressBar } from "../progress.ts";
import { clvBucketsSvg } from "./clv_svg.ts";
import { valuePolicyText } from "./policy_writer.ts";
import type { Interval } from "./bootstrap.ts";
import type { PolicyFigures } from "./policy.ts";
import {
  type ModelForecast,
  runValueBacktest,
  type ValueBacktestReport,
} from "./value_backtest.ts";

/** Default choice seasons: every season before 2019-20 in the shared files. */
export const DEFAULT_CHOOSE = "2012-13..2018-19";
/** Default evaluation seasons: the later ones, never used to choose. */
export const DEFAULT_EVALUATE = "2019-20..2022-23";

/** Expands `2012-13..2014-15` or `2012-13,2014-15` into season labels. */
export function parseSeasons(text: string): string[] {
  const label = /^(\d{4})-(\d{2})$/;
  const out: string[] = [];
  for (const part of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const [a, b = a] = part.split("..");
    const ma = label.exec(a), mb = label.exec(b);
    if (!ma || !mb) {
      throw new RangeError(`Invalid season range "${part}": expected YYYY-YY or YYYY-YY..YYYY-YY`);
    }
    const from = Number(ma[1]), to = Number(mb[1]);
    if (to < from) throw new RangeError(`Invalid season range "${part}": it ends before it starts`);
    for (let y = from; y <= to; y++) out.push(`${y}-${String((y + 1) % 100).padStart(2, "0")}`);
  }
  return out;
}

const pct = (x: number, digits = 2) =>
  Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : "n/a";
const ci = (i: Interval) => `[${pct(i[0])}, ${pct(i[1])}]`;

function figuresLine(name: string, f: PolicyFigures): string {
  return `${name.padEnd(22)} ${String(f.picks).padStart(6)}  ${pct(f.hit_rate).padStart(8)}  ` +
    `${pct(f.mean_clv).padStart(8)} ${ci(f.mean_clv_ci95).padEnd(22)} ${pct(f.roi).padStart(9)} ` +
    `${ci(f.roi_ci95)}`;
}

/** Human-readable summary of a value-bet report. */
export function formatValueReport(r: ValueBacktestReport): string {
  const p = r.policy;
  const lines = [
    `Value bets: chosen on ${
      r.choose_seasons.join(", ") || "(fixed policy)"
    } (${r.matches.choice} matches), ` +
    `evaluated on ${r.evaluate_seasons.join(", ")} (${r.matches.evaluation} matches)`,
    `Intervals: ${r.resampling.resamples} bootstrap resamples of match-days, seed ${r.resampling.seed}; ` +
    `chooser criterion: ${r.criterion}`,
    "",
    "Margin removal (fair opening 1X2, choice seasons):",
  ];
  for (const [m, s] of Object.entries(r.margin_removal.choice_scores)) {
    if (s.matches) {
      lines.push(
        `  ${m.padEnd(10)} RPS ${s.rps.toFixed(5)}  log-loss ${
          s.log_loss.toFixed(5)
        }  (${s.matches})`,
      );
    }
  }
  lines.push(
    `  chosen: ${r.margin_removal.chosen}; model weight ${r.model_weight.chosen}`,
    "",
    `Policy: edge >= ${pct(p.min_edge, 1)}, odds ${p.min_odds}..${p.max_odds}, markets ${
      p.markets.join("+")
    }, >= ${p.min_books} books; alerts close below ${pct(r.close_edge, 2)}`,
    "",
    "set                     picks  hit rate  mean CLV  CLV 95 %               ROI       ROI 95 %",
  );
  if (r.choice) lines.push(figuresLine("choice seasons", r.choice));
  lines.push(figuresLine("EVALUATION", r.evaluation));
  for (const [s, f] of Object.entries(r.evaluation_by_season)) lines.push(figuresLine(`  ${s}`, f));
  for (const [s, f] of Object.entries(r.evaluation_by_league)) {
    lines.push(figuresLine(`  ${s.slice(0, 20)}`, f));
  }
  for (const [s, f] of Object.entries(r.evaluation_by_market)) lines.push(figuresLine(`  ${s}`, f));
  lines.push("", "CLV by edge bucket (choice seasons, the policy's other filters):");
  for (const b of r.buckets) {
    lines.push(
      `  ${pct(b.edge_from, 1).padStart(7)} .. ${
        b.edge_to === null ? "     " : pct(b.edge_to, 1).padStart(7)
      }  ${String(b.picks).padStart(6)}  CLV ${pct(b.mean_clv).padStart(8)} ${ci(b.mean_clv_ci95)}`,
    );
  }
  lines.push(
    "",
    "Market (CLV of every 1X2 outcome vs Pinnacle's de-margined close; Pinnacle RPS):",
  );
  for (
    const [name, m] of [["choice", r.market.choice], ["evaluation", r.market.evaluation]] as const
  ) {
    if (!m) continue;
    const c = m.clv_every_outcome;
    lines.push(
      `  ${name.padEnd(10)} average price ${pct(c.average_price.mean)} ${
        ci(c.average_price.ci95)
      }, ` +
        `market best ${pct(c.market_best_price.mean)} ${ci(c.market_best_price.ci95)}, ` +
        `best listed book ${pct(c.best_listed_book.mean)} ${ci(c.best_listed_book.ci95)}; ` +
        `Pinnacle RPS open ${m.pinnacle_open.rps.toFixed(4)}, close ${
          m.pinnacle_close.rps.toFixed(4)
        } (${m.matches})`,
    );
  }
  return lines.join("\n");
}

/** What the command needs from the rest of the backtest. */
export interface ValueBetsCommandOptions {
  /** Our walk-forward forecasts of matches, for `--model`. */
  forecasts?: (matches: MatchRecord[]) => EnsemblePrediction[];
}

/** Our results-only (fundamental) forecasts by match id, walk-forward over every loaded match. */
function modelForecasts(
  matches: readonly BookmakerMatch[],
  forecasts: NonNullable<ValueBetsCommandOptions["forecasts"]>,
): Map<string, ModelForecast> {
  const out = new Map<string, ModelForecast>();
  for (const p of forecasts(matches.map((m) => m.match))) {
    out.set(p.row.match.id, { x12: p.fundamental, over25: p.over25.fundamental });
  }
  return out;
}

/** Runs the command; returns the exit code. */
export async function valueBetsMain(
  args: string[],
  commandOptions: ValueBetsCommandOptions = {},
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "bookmakers-dir": { type: "string" },
      "choose-seasons": { type: "string" },
      "evaluate-seasons": { type: "string" },
      policy: { type: "string" },
      json: { type: "string" },
      "write-policy": { type: "string" },
      "svg-dir": { type: "string" },
      resamples: { type: "string", default: "2000" },
      seed: { type: "string", default: "19" },
      "min-choice-picks": { type: "string", default: "500" },
      criterion: { type: "string", default: "z" },
      model: { type: "boolean", default: false },
      league: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "deno task backtest --value-bets [--bookmakers-dir DIR] [--choose-seasons A..B] " +
        "[--evaluate-seasons C..D] [--policy FILE] [--json FILE] [--write-policy FILE] " +
        "[--svg-dir DIR] [--resamples N] [--seed N] [--min-choice-picks N] [--criterion z|lower_bound] " +
        "[--league KEY...]",
    );
    return 0;
  }
  const integer = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      throw new RangeError(`Invalid --${name} "${v}": expected an integer >= ${min}`);
    }
    return n;
  };
  const resamples = integer("resamples", values.resamples!, 1);
  const seed = integer("seed", values.seed!, 0);
  const minChoicePicks = integer("min-choice-picks", values["min-choice-picks"]!, 1);
  const criterion = values.criterion!;
  if (criterion !== "z" && criterion !== "lower_bound") {
    throw new RangeError(`Invalid --criterion "${criterion}": use z or lower_bound`);
  }
  // Read as the service reads it: a policy it would refuse is refused here too.
  const policy = values.policy
    ? parseValuePolicy(await Deno.readTextFile(values.policy), values.policy)
    : undefined;
  const chooseSeasons = policy ? [] : parseSeasons(values["choose-seasons"] ?? DEFAULT_CHOOSE);
  if (policy && values["choose-seasons"]) {
    throw new RangeError(
      "Give either --policy or --choose-seasons: a given policy is not chosen again",
    );
  }
  const evaluateSeasons = parseSeasons(values["evaluate-seasons"] ?? DEFAULT_EVALUATE);
  const dir = values["bookmakers-dir"] ?? `${sharedDataDir()}/bookmakers`;

  const started = performance.now();
  const loaded = await loadBookmakerMatches(dir);
  // A league is named by its key or its football-data.co.uk division code.
  const wanted = values.league?.map((l) => DIVISIONS[l.toUpperCase()] ?? l);
  const matches = wanted?.length
    ? loaded.matches.filter((m) => wanted.includes(m.match.league))
    : loaded.matches;
  console.error(
    `Loaded ${matches.length} matches from ${dir} in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s ` +
      `(rejected: ${JSON.stringify(loaded.rejected)})`,
  );
  if (values.model && !commandOptions.forecasts) {
    throw new Error("--model needs the model backtest");
  }
  const model = values.model ? modelForecasts(matches, commandOptions.forecasts!) : undefined;
  const bars = new Map<string, Progress>();
  const report = runValueBacktest(matches, {
    chooseSeasons,
    evaluateSeasons,
    policy,
    resamples,
    seed,
    minChoicePicks,
    criterion,
    model,
    onProgress: (stage, done, total) => {
      let bar = bars.get(stage);
      if (!bar) bars.set(stage, bar = progressBar(stage));
      bar.update(done, total);
      if (done === total) bar.done();
    },
  });
  console.log(formatValueReport(report));
  // Checked before any file is written, so a refused policy leaves nothing behind.
  const policyText = values["write-policy"]
    ? valuePolicyText(report.policy_file, values["write-policy"])
    : undefined;
  console.error(
    `Value-bet backtest done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (values["svg-dir"] !== undefined) {
    await Deno.mkdir(values["svg-dir"], { recursive: true });
    const path = `${values["svg-dir"]}/value-bets-clv-by-edge.svg`;
    await Deno.writeTextFile(
      path,
      clvBucketsSvg(report.buckets, {
        title: `CLV by edge bucket (${report.choose_seasons[0] ?? ""}..${
          report.choose_seasons.at(-1) ?? ""
        }, 95 % CI)`,
      }),
    );
    console.log(`Figure written to ${path}`);
  }
  if (values.json) {
    await Deno.writeTextFile(values.json, JSON.stringify(report, null, 2) + "\n");
    console.log(`Report written to ${values.json}`);
  }
  if (policyText !== undefined) {
    await Deno.writeTextFile(values["write-policy"]!, policyText);
    console.log(`Policy written to ${values["write-policy"]}`);
  }
  return 0;
}
