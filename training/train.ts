/**
 * `deno task train [--data PATH...] [--league KEY...] [--out models] [--seed N] [--force]`
 *
 * Trains every league found in the data and exports `models/<league>/`: the Dixon-Coles
 * score-matrix graph and the fundamental and market-blend classifiers as ONNX, plus a model
 * card with the training window, hyper-parameters, walk-forward backtest figures against the
 * market, the team list with a ratings snapshot, and the sha256 of every file.
 *
 * Training has no random component (L-BFGS from fixed starts), so the same data gives the same
 * ONNX files and card; only the card's `created_at` is the wall clock unless `SOURCE_DATE_EPOCH`
 * is set. `--seed` is recorded in the card for completeness.
 *
 * A league folder that already holds a model card is refused before any training unless
 * `--force` is given: `models/` is committed, and a run on other data must not replace it quietly.
 * @module
 */
import { parseArgs } from "node:util";
import { LEAGUES } from "../server/domain/leagues.ts";
import { aliasesFor } from "../server/domain/team_aliases.ts";
import type { MatchRecord } from "../server/domain/types.ts";
import { sha256Hex } from "../server/ml/artefacts.ts";
import type { CardDraft } from "./onnx/write_model.ts";
import { writeModelFolder } from "./onnx/write_model.ts";
import { classifierGraph, scoreMatrixGraph, serializeModel } from "./onnx/graphs.ts";
import { defaultPeriod, HYPERPARAMETERS } from "./backtest.ts";
import { loadMatches, sharedDataDir } from "./data/mod.ts";
import { fitDixonColes } from "./dixon_coles/fit.ts";
import { teamStrength } from "./dixon_coles/params.ts";
import { buildDataset, finalStates } from "./ensemble/dataset.ts";
import { trainEnsemble, walkForwardEnsemble } from "./ensemble/walk_forward.ts";
import { backtestReport } from "./eval/backtest_report.ts";
import { reliabilitySvg } from "./eval/reliability_svg.ts";
import { progressBar } from "./progress.ts";

const DAY_MS = 86_400_000;

/** Options of {@link trainModels}. */
export interface TrainOptions {
  out: string;
  seed?: number;
  /** Print progress bars. @default {true} */
  progress?: boolean;
  /** First kick-off of the walk-forward evaluation stored in the cards. */
  evaluateFrom?: Date;
  /** Replace league folders of `out` that already hold a model card. @default {false} */
  force?: boolean;
}

/** Throws if a league folder of `out` already holds a model card. */
async function refuseExistingModels(out: string, leagues: readonly string[]): Promise<void> {
  for (const league of leagues) {
    try {
      await Deno.stat(`${out}/${league}/model.json`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    throw new Error(
      `Cannot write "${out}/${league}": it holds a model; pass --force to replace it`,
    );
  }
}

function createdAt(): string {
  const epoch = Deno.env.get("SOURCE_DATE_EPOCH");
  return epoch && /^\d+$/.test(epoch)
    ? new Date(Number(epoch) * 1000).toISOString()
    : new Date().toISOString();
}

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

function leagueName(key: string): { name: string; country: string } {
  const info = LEAGUES.find((l) => l.key === key);
  return info ? { name: info.name, country: info.country } : {
    name: key,
    country: key.split("-")[0],
  };
}

/** Trains and exports every league of `matches`; returns the written cards' league keys. */
export async function trainModels(
  matches: readonly MatchRecord[],
  options: TrainOptions,
): Promise<string[]> {
  const { out, seed = 1, progress = true } = options;
  const sorted = [...matches].sort((a, b) => a.kickoff.getTime() - b.kickoff.getTime());
  const leagues = [...new Set(sorted.map((m) => m.league))].sort();
  if (!options.force) await refuseExistingModels(out, leagues);
  const period = defaultPeriod(sorted);
  const evaluateFrom = options.evaluateFrom ?? period.from;
  const last = sorted[sorted.length - 1].kickoff;
  const to = new Date(last.getTime() + DAY_MS);

  const dcBar = progress ? progressBar("Dixon-Coles walk-forward") : undefined;
  const total = sorted.filter((m) => m.kickoff >= period.start).length;
  const rows = buildDataset(sorted, {
    from: period.start,
    to,
    xi: HYPERPARAMETERS.xi,
    ridge: HYPERPARAMETERS.ridge,
    refitEveryDays: HYPERPARAMETERS.dcRefitEveryDays,
    onProgress: (p) => dcBar?.update(p.predicted, total, p.league),
  });
  dcBar?.done(`${rows.length} rows`);

  const evalBar = progress ? progressBar("Ensemble walk-forward evaluation") : undefined;
  let preds: ReturnType<typeof walkForwardEnsemble> = [];
  try {
    preds = walkForwardEnsemble(rows, {
      from: evaluateFrom,
      to,
      refitEveryDays: HYPERPARAMETERS.ensembleRefitEveryDays,
      l2: HYPERPARAMETERS.l2,
      onProgress: (d, t) => evalBar?.update(d, t),
    });
    evalBar?.done();
  } catch (e) {
    // Too little history for an honest evaluation: train anyway, with no backtest figures.
    if (!(e instanceof RangeError)) throw e;
    evalBar?.done(`skipped: ${e.message}`);
  }

  const models = trainEnsemble(rows, { l2: HYPERPARAMETERS.l2 });
  const scoreMatrixBytes = serializeModel(scoreMatrixGraph({ maxGoals: 10 }));
  const fundamentalBytes = serializeModel(classifierGraph(models.fundamental));
  const blendBytes = models.blend ? serializeModel(classifierGraph(models.blend)) : undefined;
  const histories = finalStates(sorted);
  const written: string[] = [];
  const exportBar = progress ? progressBar("Export") : undefined;
  for (const [i, league] of leagues.entries()) {
    exportBar?.update(i, leagues.length, league);
    const leagueMatches = sorted.filter((m) => m.league === league);
    const asOf = new Date(leagueMatches[leagueMatches.length - 1].kickoff.getTime() + 1000);
    const dc = fitDixonColes(leagueMatches, {
      asOf,
      xi: HYPERPARAMETERS.xi,
      ridge: HYPERPARAMETERS.ridge,
    });
    const history = histories.get(league)!;
    const season = dc.season;
    const teamNames = dc.seasonTeams?.length ? dc.seasonTeams : dc.teams;
    const teams = teamNames.map((name) => {
      const strength = teamStrength(dc, name, { season });
      const state = history.stateOf(name);
      const snapshot: Record<string, number> = {
        dc_attack: round(strength.attack),
        dc_defence: round(strength.defence),
      };
      for (const [k, v] of Object.entries(state)) snapshot[k] = round(v);
      return { name, aliases: aliasesFor(league, name), state: snapshot };
    });
    const leaguePreds = preds.filter((p) => p.row.match.league === league);
    const report = leaguePreds.length > 0 ? backtestReport(leaguePreds) : undefined;
    const artefacts: Record<string, Uint8Array> = {
      "score_matrix.onnx": scoreMatrixBytes,
      "fundamental.onnx": fundamentalBytes,
    };
    if (blendBytes) artefacts["blend.onnx"] = blendBytes;
    if (report) {
      const svg = reliabilitySvg([
        { label: "fundamental", bins: report.calibration.fundamental },
        { label: "blend", bins: report.calibration.blend },
        { label: "market (opening)", bins: report.calibration.market_open },
      ], { title: `${leagueName(league).name}: reliability, walk-forward` });
      artefacts["reliability.svg"] = new TextEncoder().encode(svg);
    }
    const digest = (await sha256Hex(
      new TextEncoder().encode(JSON.stringify({ dc, teams, models })),
    )).slice(0, 10);
    const trainedUntil = leagueMatches[leagueMatches.length - 1].kickoff.toISOString().slice(0, 10);
    const draft: CardDraft = {
      league,
      ...leagueName(league),
      version: `${trainedUntil}.${digest}`,
      // SOURCE_DATE_EPOCH (reproducible builds) makes the whole card byte-identical across runs.
      created_at: createdAt(),
      trained_until: trainedUntil,
      training_window: {
        from: leagueMatches[0].kickoff.toISOString().slice(0, 10),
        to: trainedUntil,
        matches: leagueMatches.length,
      },
      hyperparameters: {
        ...HYPERPARAMETERS,
        seed,
        classifier: "multinomial logistic regression (L2), pooled over all leagues trained",
        dixon_coles_fit: dc.fit,
      },
      metrics: report
        ? {
          evaluated_from: report.from,
          evaluated_to: report.to,
          matches: report.compared_matches,
          variants: report.variants,
          market_open: report.market_open,
          market_close: report.market_close,
          totals_2_5: report.totals_2_5,
          value_bets: report.value_bets_by_threshold,
          calibration: report.calibration,
        }
        : {},
      dixon_coles: {
        intercept: round(dc.intercept),
        home_advantage: round(dc.homeAdvantage),
        rho: round(dc.rho),
        max_goals: 10,
        promoted: dc.promoted ?? { attack: 0, defence: 0 },
      },
      teams,
      classifiers: {
        fundamental: { file: "fundamental.onnx", features: [...models.fundamentalFeatures] },
        ...(blendBytes
          ? { blend: { file: "blend.onnx", features: [...models.blendFeatures] } }
          : {}),
      },
      totals: {
        fundamental: models.totalsFundamental,
        ...(models.totalsBlend ? { blend: models.totalsBlend } : {}),
      },
      score_matrix: { file: "score_matrix.onnx" },
    };
    await writeModelFolder(`${out}/${league}`, draft, artefacts);
    written.push(league);
  }
  exportBar?.done(`${written.length} leagues written to ${out}/`);
  return written;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string", multiple: true },
      league: { type: "string", multiple: true },
      out: { type: "string", default: "models" },
      seed: { type: "string", default: "1" },
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "deno task train [--data PATH...] [--league KEY...] [--out models] [--seed N] [--force]",
    );
    return 0;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) {
    console.error(`Invalid --seed "${values.seed}": expected an integer`);
    return 2;
  }
  const sources = values.data?.length ? values.data : [`${sharedDataDir()}/leagues`];
  const loaded = await loadMatches(sources);
  let matches = loaded.matches;
  if (values.league?.length) {
    const unknown = values.league.filter((l) => !matches.some((m) => m.league === l));
    if (unknown.length) {
      console.error(`Unknown --league ${unknown.map((l) => `"${l}"`).join(", ")} in the data`);
      return 2;
    }
    matches = matches.filter((m) => values.league!.includes(m.league));
  }
  console.error(`Loaded ${matches.length} matches from ${sources.join(", ")}`);
  const started = performance.now();
  const written = await trainModels(matches, { out: values.out!, seed, force: values.force });
  console.log(
    `Trained ${written.length} leagues in ${((performance.now() - started) / 1000).toFixed(1)} s: ${
      written.join(", ")
    }`,
  );
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
