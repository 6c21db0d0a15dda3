/**
 * Reads the model cards (`models/<league>/model.json`) for the `/model` page. Lenient on
 * purpose: a card with missing or unexpected fields still shows what it has, and an unreadable
 * card is reported on the page instead of failing it.
 * @module
 */

/** One figure of a backtest, with the market's figures beside it when the card has them. */
export interface MetricRow {
  name: string;
  model: number;
  /** The market's figure: its opening price (the fair comparison for a model without odds). */
  market?: number;
  /** The market's closing price. */
  closing?: number;
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  predicted: number;
  observed: number;
  count?: number;
}

/** What the `/model` page shows for one league. */
export interface ModelCardView {
  league: string;
  name: string;
  version?: string;
  trained_until?: string;
  created_at?: string;
  training_window?: { from: string; to: string; matches?: number };
  metrics: MetricRow[];
  reliability: ReliabilityBin[];
  /** File name of a reliability diagram SVG shipped with the model, if any. */
  reliability_svg?: string;
  /** That SVG as a `data:` URL for an `<img>` (filled by {@link readModelCards}). */
  reliability_svg_url?: string;
  /** Set when the card could not be read. */
  error?: string;
}

// deno-lint-ignore no-explicit-any
type Loose = any;

const MARKET_SUFFIX = /_(market|closing|opening|market_closing|market_opening)$/;

function flattenNumbers(value: Loose, prefix: string, out: Map<string, number>, depth = 0) {
  if (depth > 3 || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "number" && Number.isFinite(v)) out.set(name, v);
    else flattenNumbers(v, name, out, depth + 1);
  }
}

const MEASURES: [string, string][] = [
  ["rps", "RPS"],
  ["log_loss", "log loss"],
  ["brier", "Brier score"],
  ["accuracy", "accuracy"],
];
const VARIANTS: [string, string][] = [
  ["blend", "blend model"],
  ["fundamental", "results-only model"],
  ["dixon_coles", "Dixon-Coles"],
];

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * Rows of a trained card's walk-forward figures (`metrics.variants.<variant>.<measure>`,
 * `metrics.market_open`, `metrics.market_close`, `metrics.totals_2_5`), each beside the
 * market's opening and closing figures. Empty for a card of another shape.
 */
export function variantRows(metrics: Loose): MetricRow[] {
  const variants = metrics?.variants;
  if (!variants || typeof variants !== "object") return [];
  const open = metrics.market_open ?? {};
  const close = metrics.market_close ?? {};
  const rows: MetricRow[] = [];
  const matches = num(metrics.matches);
  if (matches !== undefined) {
    rows.push({
      name: "matches",
      model: matches,
      market: num(open.matches),
      closing: num(close.matches),
    });
  }
  for (const [measure, label] of MEASURES) {
    for (const [variant, variantLabel] of VARIANTS) {
      const model = num(variants[variant]?.[measure]);
      if (model === undefined) continue;
      rows.push({
        name: `${label}, ${variantLabel}`,
        model,
        market: num(open[measure]),
        closing: num(close[measure]),
      });
    }
  }
  const totals = metrics.totals_2_5;
  const totalsModel = num(totals?.model_log_loss);
  if (totalsModel !== undefined) {
    rows.push({
      name: "over/under 2.5 log loss, results-only model",
      model: totalsModel,
      market: num(totals.market_open_log_loss),
      closing: num(totals.market_close_log_loss),
    });
  }
  return rows;
}

/** Pairs model figures with market figures named `<x>_market` / `market.<x>` when present. */
export function metricRows(metrics: unknown): MetricRow[] {
  const trained = variantRows(metrics);
  if (trained.length > 0) return trained;
  const flat = new Map<string, number>();
  flattenNumbers(metrics, "", flat);
  const rows: MetricRow[] = [];
  const used = new Set<string>();
  for (const [name, value] of flat) {
    if (used.has(name) || MARKET_SUFFIX.test(name) || /(^|\.)market\./.test(name)) continue;
    if (/reliab/i.test(name)) continue;
    const candidates = [
      ...["market", "market_opening", "opening"].map((s) => `${name}_${s}`),
      name.replace(/(^|\.)model\./, "$1market."),
      `market.${name}`,
    ];
    const marketName = candidates.find((c) => c !== name && flat.has(c));
    if (marketName) used.add(marketName);
    const closingName = [`${name}_market_closing`, `${name}_closing`].find((c) => flat.has(c));
    if (closingName) used.add(closingName);
    rows.push({
      name,
      model: value,
      market: marketName ? flat.get(marketName) : undefined,
      closing: closingName ? flat.get(closingName) : undefined,
    });
  }
  return rows.slice(0, 24);
}

/**
 * Reliability bins of the served classifier of a trained card (`metrics.calibration.<variant>`,
 * `{mean_predicted, observed, count}`): the blend, else the results-only model.
 */
function calibrationBins(metrics: Loose): ReliabilityBin[] {
  const calibration = metrics?.calibration;
  if (!calibration || typeof calibration !== "object") return [];
  for (const variant of ["blend", "fundamental", "dixon_coles"]) {
    const bins = findBins(calibration[variant], 1);
    if (bins.length) return bins;
  }
  return [];
}

function findBins(value: Loose, depth = 0): ReliabilityBin[] {
  if (depth > 3 || value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) {
    const bins = value.map((b: Loose) => ({
      predicted: Number(b?.predicted ?? b?.mean_predicted ?? b?.p ?? b?.forecast),
      observed: Number(b?.observed ?? b?.frequency ?? b?.o ?? b?.actual),
      count: typeof (b?.count ?? b?.n) === "number" ? (b?.count ?? b?.n) : undefined,
    })).filter((b) => Number.isFinite(b.predicted) && Number.isFinite(b.observed));
    return bins.length === value.length ? bins : [];
  }
  for (const [k, v] of Object.entries(value)) {
    if (/reliab|calibration/i.test(k)) {
      const bins = findBins(v, depth + 1);
      if (bins.length) return bins;
    }
  }
  for (const v of Object.values(value)) {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const bins = findBins(v, depth + 1);
      if (bins.length) return bins;
    }
  }
  return [];
}

function findSvgName(card: Loose): string | undefined {
  const listed = card?.files && typeof card.files === "object"
    ? Object.keys(card.files).find((f) => /reliab.*\.svg$/i.test(f))
    : undefined;
  const name = card?.reliability_svg ?? card?.metrics?.reliability_svg ?? listed;
  return typeof name === "string" && /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.svg$/.test(name)
    ? name
    : undefined;
}

/** Turns a parsed card into what the page shows. */
export function modelCardView(league: string, card: Loose): ModelCardView {
  const window = card?.training_window;
  const trainedBins = calibrationBins(card?.metrics);
  return {
    league: typeof card?.league === "string" ? card.league : league,
    name: typeof card?.name === "string" ? card.name : league,
    version: card?.version,
    trained_until: card?.trained_until,
    created_at: card?.created_at,
    training_window: window && typeof window.from === "string"
      ? { from: window.from, to: String(window.to), matches: window.matches }
      : undefined,
    metrics: metricRows(card?.metrics),
    reliability: trainedBins.length ? trainedBins : findBins(card?.metrics ?? card),
    reliability_svg: findSvgName(card),
  };
}

/** A committed SVG as a `data:` URL (an `<img>` does not run scripts in it), or undefined. */
async function svgDataUrl(path: string): Promise<string | undefined> {
  try {
    const bytes = await Deno.readFile(path);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return `data:image/svg+xml;base64,${btoa(binary)}`;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Reads every `models/<league>/model.json` under `modelsDir`, sorted by league. */
export async function readModelCards(modelsDir: string): Promise<ModelCardView[]> {
  const out: ModelCardView[] = [];
  let dirs: string[] = [];
  try {
    for await (const e of Deno.readDir(modelsDir)) if (e.isDirectory) dirs.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  dirs = dirs.sort();
  for (const league of dirs) {
    let text: string;
    try {
      text = await Deno.readTextFile(`${modelsDir}/${league}/model.json`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    try {
      const view = modelCardView(league, JSON.parse(text));
      if (view.reliability_svg) {
        view.reliability_svg_url = await svgDataUrl(
          `${modelsDir}/${league}/${view.reliability_svg}`,
        );
      }
      out.push(view);
    } catch (e) {
      out.push({
        league,
        name: league,
        metrics: [],
        reliability: [],
        error: `Cannot read model card "${league}": ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }
  return out;
}

/** How long {@link cachedModelCards} keeps what it read: a re-deployed card shows within this. */
const CARDS_TTL_MS = 60_000;
const cardsCache = new Map<string, { at: number; cards: Promise<ModelCardView[]> }>();

/**
 * {@link readModelCards}, kept for a minute per folder: reading and base64-encoding every card
 * and diagram costs about 19 ms per call on the development machine, and `/model` is a page
 * anyone may reload. A failed read is not kept.
 */
export function cachedModelCards(modelsDir: string, now = Date.now()): Promise<ModelCardView[]> {
  const hit = cardsCache.get(modelsDir);
  if (hit && now - hit.at < CARDS_TTL_MS) return hit.cards;
  const cards = readModelCards(modelsDir);
  cardsCache.set(modelsDir, { at: now, cards });
  cards.catch(() => {
    if (cardsCache.get(modelsDir)?.cards === cards) cardsCache.delete(modelsDir);
  });
  return cards;
}
