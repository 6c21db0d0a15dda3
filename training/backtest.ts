/**
 * `deno task backtest --data PATH... [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 *   [--variant fundamental|blend|all] [--json FILE] [--svg-dir DIR] [--league KEY...]`
 * `deno task backtest --value-bets ...`: the value-bet backtest on every bookmaker's prices
 * (see `value_bets/command.ts`).
 *
 * Walk-forward backtest on any CSV in the shared `leagues/` or football-data.co.uk format:
 * Dixon-Coles refitted weekly, ratings carried match by match, the ensemble refitted every four
 * weeks, each on matches that kicked off before the one predicted. Prints the scores next to
 * the market's opening and closing prices. Reliability diagrams (one per variant) are written
 * only when `--svg-dir` names a folder: the committed ones in `docs/models/` come from the
 * command in docs/MODELS.md, and a backtest on other data must not replace them.
 * @module
 */
import { parseArgs } from "node:util";
import { loadMatches, sharedDataDir } from "./data/mod.ts";
import { buildDataset } from "./ensemble/dataset.ts";
import { type EnsemblePrediction, walkForwardEnsemble } from "./ensemble/walk_forward.ts";
import { type BacktestReport, backtestReport } from "./eval/backtest_report.ts";
import { reliabilitySvg } from "./eval/reliability_svg.ts";
import { progressBar } from "./progress.ts";
import { valueBetsMain } from "./value_bets/command.ts";
import type { MatchRecord } from "../server/domain/types.ts";

const DAY_MS = 86_400_000;

/** Hyper-parameters shared by the backtest and training (tuned on seasons before 2019-20). */
export const HYPERPARAMETERS = {
  xi: 0.0016,
  ridge: 4,
  dcRefitEveryDays: 7,
  ensembleRefitEveryDays: 28,
  l2: 0.001,
  warmupDays: 180,
} as const;

/** Options of {@link runBacktest}. */
export interface BacktestOptions {
  from?: Date;
  to?: Date;
  quiet?: boolean;
}

/** Chooses the evaluated period when none is given: 2019-07-01 if there is enough history. */
export function defaultPeriod(matches: readonly MatchRecord[]): { start: Date; from: Date } {
  const first = matches[0].kickoff.getTime();
  const last = matches[matches.length - 1].kickoff.getTime();
  const start = first + HYPERPARAMETERS.warmupDays * DAY_MS;
  const from = Math.max(start + 365 * DAY_MS, Math.min(Date.UTC(2019, 6, 1), last - 365 * DAY_MS));
  return { start: new Date(start), from: new Date(from) };
}

/** Runs the full walk-forward backtest on loaded matches. */
export function runBacktest(
  matches: readonly MatchRecord[],
  options: BacktestOptions = {},
): BacktestReport {
  return backtestReport(walkForwardPredictions(matches, options));
}

/**
 * The walk-forward forecasts behind {@link runBacktest}, each made from matches that kicked off
 * before it (also the model the value-bet backtest may blend with the market).
 */
export function walkForwardPredictions(
  matches: readonly MatchRecord[],
  options: BacktestOptions = {},
): EnsemblePrediction[] {
  if (matches.length < 200) throw new RangeError(`Too few matches (${matches.length}) to backtest`);
  const sorted = [...matches].sort((a, b) => a.kickoff.getTime() - b.kickoff.getTime());
  const period = defaultPeriod(sorted);
  const from = options.from ?? period.from;
  const to = options.to ?? new Date(sorted[sorted.length - 1].kickoff.getTime() + DAY_MS);
  const start = new Date(Math.min(period.start.getTime(), from.getTime()));
  const dcBar = options.quiet ? undefined : progressBar("Dixon-Coles walk-forward");
  let predicted = 0;
  const total = sorted.filter((m) => m.kickoff >= start).length;
  const rows = buildDataset(sorted, {
    from: start,
    to,
    xi: HYPERPARAMETERS.xi,
    ridge: HYPERPARAMETERS.ridge,
    refitEveryDays: HYPERPARAMETERS.dcRefitEveryDays,
    onProgress: (p) => {
      predicted = Math.max(predicted, p.predicted);
      dcBar?.update(p.predicted, total, p.league);
    },
  });
  dcBar?.done(`${rows.length} rows`);
  const ensBar = options.quiet ? undefined : progressBar("Ensemble walk-forward");
  const preds = walkForwardEnsemble(rows, {
    from,
    to,
    refitEveryDays: HYPERPARAMETERS.ensembleRefitEveryDays,
    l2: HYPERPARAMETERS.l2,
    // A single league of two seasons has ~380 rows before the first refit: enough for 8-14
    // regression weights, and what lets the command run on a lone football-data.co.uk file.
    minTrainRows: 300,
    onProgress: (d, t) => ensBar?.update(d, t),
  });
  ensBar?.done();
  return preds;
}

const f4 = (x: number) => Number.isFinite(x) ? x.toFixed(4) : "n/a";
const pct = (x: number) => Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : "n/a";

/** Human-readable summary of a report. */
export function formatReport(r: BacktestReport, variants: string[]): string {
  const lines = [
    `Walk-forward ${r.from.slice(0, 10)} .. ${r.to.slice(0, 10)}: ${r.matches} matches, ` +
    `${r.compared_matches} with opening and closing 1X2 prices`,
    "",
    "forecaster        RPS      log-loss  Brier    accuracy  RPS / opening",
  ];
  const row = (name: string, s: BacktestReport["market_open"]) =>
    `${name.padEnd(16)}  ${f4(s.rps)}   ${f4(s.log_loss)}    ${f4(s.brier)}   ${
      pct(s.accuracy).padEnd(8)
    }  ${(s.rps / r.market_open.rps).toFixed(4)}`;
  for (const v of ["dixon_coles", ...variants]) lines.push(row(v, r.variants[v]));
  lines.push(row("market_open", r.market_open), row("market_close", r.market_close));
  const t = r.totals_2_5;
  lines.push(
    "",
    `Over/under 2.5 log-loss (${t.matches} matches): Dixon-Coles ${f4(t.dixon_coles_log_loss)}, ` +
      `model ${f4(t.model_log_loss)}, blend ${f4(t.blend_log_loss)}, market open ${
        f4(t.market_open_log_loss)
      }, close ${f4(t.market_close_log_loss)}`,
    "",
    "Value bets (fundamental probability x opening odds > 1 + threshold):",
    "threshold  bets   hit rate  ROI       Kelly ROI  mean CLV   market move",
  );
  for (const v of r.value_bets_by_threshold) {
    lines.push(
      `${pct(v.threshold).padEnd(9)}  ${String(v.count).padEnd(5)}  ${pct(v.hit_rate).padEnd(8)}  ${
        pct(v.roi).padEnd(8)
      }  ${pct(v.kelly_roi).padEnd(9)}  ${pct(v.mean_clv).padEnd(9)}  ${pct(v.mean_market_move)}`,
    );
  }
  return lines.join("\n");
}

/** Options of {@link writeReliabilityDiagrams}. */
export interface ReliabilityDiagramsOptions {
  /** Folder the `reliability-<variant>.svg` files go to (created if missing). */
  dir: string;
  /** Model variants drawn; the opening market is always drawn beside them. */
  variants: readonly string[];
}

/** Writes one reliability diagram per variant and the opening market; returns the paths. */
export async function writeReliabilityDiagrams(
  report: BacktestReport,
  options: ReliabilityDiagramsOptions,
): Promise<string[]> {
  await Deno.mkdir(options.dir, { recursive: true });
  const period = `${report.from.slice(0, 10)}..${report.to.slice(0, 10)}`;
  const written: string[] = [];
  for (const v of [...options.variants, "market_open"]) {
    const svg = reliabilitySvg(report.calibration[v] ?? [], {
      title: `Reliability: ${v} (1X2, walk-forward ${period})`,
    });
    const path = `${options.dir}/reliability-${v}.svg`;
    await Deno.writeTextFile(path, svg);
    written.push(path);
  }
  return written;
}

async function main(args: string[]): Promise<number> {
  if (args.includes("--value-bets")) {
    return await valueBetsMain(args.filter((a) => a !== "--value-bets"), {
      // From a year after the model's warm-up (the ensemble's first training rows), so most
      // choice seasons have forecasts too.
      forecasts: (matches) =>
        walkForwardPredictions(matches, {
          from: new Date(defaultPeriod(matches).start.getTime() + 365 * DAY_MS),
        }),
    });
  }
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string", multiple: true },
      league: { type: "string", multiple: true },
      from: { type: "string" },
      to: { type: "string" },
      variant: { type: "string", default: "all" },
      json: { type: "string" },
      "svg-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "deno task backtest --data PATH... [--from YYYY-MM-DD] [--to YYYY-MM-DD] " +
        "[--variant fundamental|blend|all] [--json FILE] [--svg-dir DIR] [--league KEY...]",
    );
    return 0;
  }
  const variantArg = values.variant!;
  if (!["fundamental", "blend", "all"].includes(variantArg)) {
    console.error(`Invalid --variant "${variantArg}": use fundamental, blend or all`);
    return 2;
  }
  const parseDate = (name: string, v?: string) => {
    if (v === undefined) return undefined;
    const d = new Date(`${v}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(d.getTime())) {
      throw new RangeError(`Invalid --${name} "${v}": expected YYYY-MM-DD`);
    }
    return d;
  };
  const from = parseDate("from", values.from);
  const to = parseDate("to", values.to);
  const sources = values.data?.length ? values.data : [`${sharedDataDir()}/leagues`];
  const loaded = await loadMatches(sources);
  let matches = loaded.matches;
  if (values.league?.length) matches = matches.filter((m) => values.league!.includes(m.league));
  console.error(
    `Loaded ${matches.length} matches from ${sources.join(", ")} (rejected: ${
      JSON.stringify(loaded.rejected)
    })`,
  );
  const report = runBacktest(matches, { from, to });
  const variants = variantArg === "all" ? ["fundamental", "blend"] : [variantArg];
  console.log(formatReport(report, variants));
  const svgDir = values["svg-dir"];
  if (svgDir !== undefined) {
    await writeReliabilityDiagrams(report, { dir: svgDir, variants });
    console.log(`\nReliability diagrams written to ${svgDir}/reliability-*.svg`);
  }
  if (values.json) {
    await Deno.writeTextFile(values.json, JSON.stringify(report, null, 2) + "\n");
    console.log(`Report written to ${values.json}`);
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    Deno.exit(1);
  }
}
