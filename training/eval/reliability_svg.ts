/**
 * A reliability diagram as a standalone SVG string: forecast probability against observed
 * frequency, one series per outcome (or one overall), points sized by how many forecasts they
 * hold, and the diagonal of perfect calibration.
 * @module
 */
import type { CalibrationBin } from "./metrics.ts";

/** One line of the diagram, e.g. the home-win forecasts. */
export interface ReliabilitySeries {
  label: string;
  bins: readonly CalibrationBin[];
  /** CSS colour; a palette colour by default. */
  color?: string;
}

/** Layout of the diagram. */
export interface ReliabilitySvgOptions {
  /**
   * Heading above the plot.
   * @default {"Reliability"}
   */
  title?: string;
  /**
   * Width and height of the image in pixels (the plot is square).
   * @default {480}
   */
  size?: number;
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];

/** Escapes text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

const fmt = (n: number) => String(Math.round(n * 100) / 100);

/**
 * Draws the diagram. `series` is either a list of series or a single bin list (drawn as one
 * series named "all"). Each point carries a `<title>` with its numbers for hover tooltips.
 */
export function reliabilitySvg(
  series: readonly ReliabilitySeries[] | readonly CalibrationBin[],
  options: ReliabilitySvgOptions = {},
): string {
  const { title = "Reliability", size = 480 } = options;
  const list: readonly ReliabilitySeries[] = series.length > 0 && "bin_lower" in series[0]
    ? [{ label: "all", bins: series as readonly CalibrationBin[] }]
    : series as readonly ReliabilitySeries[];
  const margin = { left: 56, right: 16, top: 40, bottom: 48 };
  const plot = size - margin.left - margin.right;
  const height = margin.top + plot + margin.bottom;
  const x = (p: number) => margin.left + p * plot;
  const y = (p: number) => margin.top + (1 - p) * plot;
  const maxCount = Math.max(1, ...list.flatMap((s) => s.bins.map((b) => b.count)));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${height}" viewBox="0 0 ${size} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${size}" height="${height}" fill="#fff"/>`,
    `<text x="${size / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    `<rect x="${x(0)}" y="${y(1)}" width="${plot}" height="${plot}" fill="none" stroke="#999"/>`,
  ];
  for (let t = 0; t <= 10; t += 2) {
    const p = t / 10;
    parts.push(
      `<line x1="${fmt(x(p))}" y1="${y(0)}" x2="${fmt(x(p))}" y2="${y(0) + 5}" stroke="#999"/>`,
      `<text x="${fmt(x(p))}" y="${y(0) + 18}" text-anchor="middle">${p.toFixed(1)}</text>`,
      `<line x1="${x(0) - 5}" y1="${fmt(y(p))}" x2="${x(0)}" y2="${fmt(y(p))}" stroke="#999"/>`,
      `<text x="${x(0) - 8}" y="${fmt(y(p) + 4)}" text-anchor="end">${p.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<line class="diagonal" x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${
      y(1)
    }" stroke="#bbb" stroke-dasharray="4 4"/>`,
    `<text x="${x(0.5)}" y="${height - 10}" text-anchor="middle">Forecast probability</text>`,
    `<text transform="translate(16 ${
      y(0.5)
    }) rotate(-90)" text-anchor="middle">Observed frequency</text>`,
  );
  list.forEach((s, i) => {
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]);
    const points = s.bins.map((b) => `${fmt(x(b.mean_predicted))},${fmt(y(b.observed))}`);
    parts.push(`<g class="series" data-label="${escapeXml(s.label)}" fill="${color}">`);
    if (points.length > 1) {
      parts.push(
        `<polyline points="${points.join(" ")}" fill="none" stroke="${color}" stroke-width="1.5"/>`,
      );
    }
    for (const b of s.bins) {
      // Area proportional to count, so a bin with 4x the forecasts looks 4x as heavy.
      const r = 2 + 8 * Math.sqrt(b.count / maxCount);
      parts.push(
        `<circle cx="${fmt(x(b.mean_predicted))}" cy="${fmt(y(b.observed))}" r="${
          fmt(r)
        }" fill-opacity="0.7"><title>${escapeXml(s.label)} ${b.bin_lower.toFixed(2)}-${
          b.bin_upper.toFixed(2)
        }: predicted ${b.mean_predicted.toFixed(3)}, observed ${
          b.observed.toFixed(3)
        }, n=${b.count}</title></circle>`,
      );
    }
    parts.push(
      `<rect x="${x(0) + 10}" y="${y(1) + 10 + i * 18}" width="10" height="10"/>`,
      `<text x="${x(0) + 26}" y="${y(1) + 19 + i * 18}">${escapeXml(s.label)}</text>`,
      `</g>`,
    );
  });
  parts.push(`</svg>`);
  return parts.join("\n");
}
