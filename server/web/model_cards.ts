/**
 * Reads the model cards (`models/<league>/model.json`) for the `/model` page. Lenient on
 * purpose: a card with missing or unexpected fields still shows what it has, and an unreadable
 * card is reported on the page instead of failing it.
 * @module
 */

/** One figure of a backtest, with the market's figure beside it when the card has one. */
export interface MetricRow {
  name: string;
  model: number;
  market?: number;
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

/** Pairs model figures with market figures named `<x>_market` / `market.<x>` when present. */
export function metricRows(metrics: unknown): MetricRow[] {
  const flat = new Map<string, number>();
  flattenNumbers(metrics, "", flat);
  const rows: MetricRow[] = [];
  const used = new Set<string>();
  for (const [name, value] of flat) {
    if (used.has(name) || MARKET_SUFFIX.test(name) || /(^|\.)market\./.test(name)) continue;
    if (/reliab/i.test(name)) continue;
    const candidates = [
      ...["market", "closing", "market_closing", "opening"].map((s) => `${name}_${s}`),
      name.replace(/(^|\.)model\./, "$1market."),
      `market.${name}`,
    ];
    const marketName = candidates.find((c) => c !== name && flat.has(c));
    if (marketName) used.add(marketName);
    rows.push({ name, model: value, market: marketName ? flat.get(marketName) : undefined });
  }
  return rows.slice(0, 24);
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
  const name = card?.reliability_svg ?? card?.metrics?.reliability_svg ??
    card?.files_reliability_svg;
  return typeof name === "string" && /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.svg$/.test(name)
    ? name
    : undefined;
}

/** Turns a parsed card into what the page shows. */
export function modelCardView(league: string, card: Loose): ModelCardView {
  const window = card?.training_window;
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
    reliability: findBins(card?.metrics ?? card),
    reliability_svg: findSvgName(card),
  };
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
      out.push(modelCardView(league, JSON.parse(text)));
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
