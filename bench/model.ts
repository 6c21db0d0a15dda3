/**
 * Benchmark of one full ONNX prediction (score-matrix graph, classifier(s), markets, value bets)
 * through the real engine and registry, plus the bare graph runs for a breakdown.
 *
 * Usage: `deno run -A bench/model.ts [--runs 20000] [--warmup 2000] [--models DIR]
 * [--league KEY] [--home NAME] [--away NAME]`. Without `--models` it builds a synthetic league
 * with real ONNX graphs in a temporary folder.
 * @module
 */
import { cpuUsage } from "node:process";
import * as ort from "onnxruntime-node";
import { createOnnxEngine } from "../server/ml/onnx_engine.ts";
import { createModelRegistry } from "../server/ml/registry.ts";
import type { PredictionRequest } from "../server/domain/prediction.ts";
import { FEATURES_FUNDAMENTAL } from "../server/domain/features.ts";
import { writeSyntheticLeague } from "../training/onnx/synthetic_league.ts";

/** Latency summary of one benchmarked operation, in milliseconds. */
export interface BenchFigure {
  name: string;
  runs: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
  /** Process CPU time (user + system, all threads incl. GC) per run, in milliseconds. */
  cpuPerRun: number;
}

interface BenchArgs {
  runs: number;
  warmup: number;
  models?: string;
  league: string;
  home: string;
  away: string;
}

function parseArgs(args: string[]): BenchArgs {
  const out: BenchArgs = {
    runs: 20_000,
    warmup: 2_000,
    league: "england-premier-league",
    home: "Arsenal",
    away: "Chelsea",
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    const value = () => inline ?? args[++i];
    switch (flag) {
      case "--runs":
      case "--warmup": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new Error(`Invalid ${flag} "${n}"`);
        out[flag === "--runs" ? "runs" : "warmup"] = n;
        break;
      }
      case "--models":
        out.models = value();
        break;
      case "--league":
        out.league = value();
        break;
      case "--home":
        out.home = value();
        break;
      case "--away":
        out.away = value();
        break;
      default:
        throw new Error(`Unknown argument "${args[i]}"`);
    }
  }
  return out;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function measure(
  name: string,
  runs: number,
  warmup: number,
  fn: () => Promise<unknown>,
): Promise<BenchFigure> {
  for (let i = 0; i < warmup; i++) await fn();
  const times = new Float64Array(runs);
  const cpu0 = cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times[i] = performance.now() - t0;
  }
  const cpu = cpuUsage(cpu0);
  times.sort();
  const mean = times.reduce((a, b) => a + b, 0) / runs;
  return {
    name,
    runs,
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    mean,
    max: times[runs - 1],
    cpuPerRun: (cpu.user + cpu.system) / 1000 / runs,
  };
}

function format(f: BenchFigure): string {
  const ms = (v: number) => `${v.toFixed(3)} ms`.padStart(10);
  return `${f.name.padEnd(34)} runs=${f.runs}  p50=${ms(f.p50)}  p99=${ms(f.p99)}  mean=${
    ms(f.mean)
  }  max=${ms(f.max)}  cpu/run=${ms(f.cpuPerRun)}`;
}

/** Runs the model benchmark with command-line style `args` and prints the figures. */
export async function benchModel(args: string[]): Promise<BenchFigure[]> {
  const opts = parseArgs(args);
  const temp = opts.models ? undefined : await Deno.makeTempDir({ prefix: "sabiscore_bench_" });
  const dir = opts.models ?? temp!;
  const registry = createModelRegistry({ dir, skipRemote: true });
  try {
    if (temp) await writeSyntheticLeague(temp, { league: opts.league });
    const report = await registry.init();
    if (!report.available.includes(opts.league)) {
      throw new Error(`No valid model for "${opts.league}" in "${dir}"`);
    }
    const engine = createOnnxEngine(registry);
    const base: PredictionRequest = {
      league: opts.league,
      home_team: opts.home,
      away_team: opts.away,
      kickoff: "2025-08-16T14:00:00Z",
    };
    const first = await engine.predict(base);
    const odds = {
      home: 1.05 / first.probabilities.home_win,
      draw: 1.05 / first.probabilities.draw,
      away: 1.05 / first.probabilities.away_win,
      over_2_5: 1.9,
      under_2_5: 1.95,
      btts_yes: 1.85,
      btts_no: 1.95,
    };
    const withOdds: PredictionRequest = { ...base, odds };
    const model = await registry.get(opts.league);
    const rates = new ort.Tensor("float64", Float64Array.of(1.5, 1.1), [1, 2]);
    const rho = new ort.Tensor("float64", Float64Array.of(-0.05), [1, 1]);
    const width = model.card.classifiers.fundamental.features.length;
    const features = new ort.Tensor("float64", new Float64Array(width).fill(0.1), [1, width]);

    console.log(
      `Model benchmark: league "${opts.league}" (${
        temp ? "synthetic model" : `models from "${dir}"`
      }), ${opts.home} v ${opts.away}, ${FEATURES_FUNDAMENTAL.length} fundamental features`,
    );
    const load = () => Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
    console.log(`load average before: ${load()} (${navigator.hardwareConcurrency} cores)`);
    const figures: BenchFigure[] = [];
    const run = async (name: string, fn: () => Promise<unknown>) => {
      const f = await measure(name, opts.runs, opts.warmup, fn);
      figures.push(f);
      console.log(format(f));
    };
    await run("score-matrix graph run", () => model.scoreMatrix.run({ rates, rho }));
    await run("fundamental classifier run", () => model.classifiers.fundamental.run({ features }));
    // The issue's measure: one prediction's two graphs (score matrix, then classifier).
    await run("both graphs (matrix + classifier)", async () => {
      await model.scoreMatrix.run({ rates, rho });
      await model.classifiers.fundamental.run({ features });
    });
    await run("predict, no odds (1 classifier)", () => engine.predict(base));
    await run("predict, with odds (2 classifiers)", () => engine.predict(withOdds));
    console.log(`load average after: ${load()}`);
    return figures;
  } finally {
    await registry.close();
    if (temp) await Deno.remove(temp, { recursive: true });
  }
}

if (import.meta.main) {
  await benchModel(Deno.args);
}
