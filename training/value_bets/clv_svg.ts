/**
 * Closing line value by edge bucket as a standalone SVG: one point per bucket with its 95 %
 * bootstrap interval, and the zero line (no value).
 * @module
 */
import { escapeXml } from "../eval/reliability_svg.ts";
import type { Interval } from "./bootstrap.ts";

/** One bucket of the figure. */
export interface ClvBucket {
  edge_from: number;
  edge_to: number | null;
  picks: number;
  mean_clv: number;
  mean_clv_ci95: Interval;
}

/** Layout of the figure. */
export interface ClvSvgOptions {
  /** Heading above the plot. @default {"CLV by edge bucket"} */
  title?: string;
  /** Width of the image in pixels. @default {560} */
  width?: number;
}

const fmt = (n: number) => String(Math.round(n * 100) / 100);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Draws the buckets, left to right by edge. */
export function clvBucketsSvg(buckets: readonly ClvBucket[], options: ClvSvgOptions = {}): string {
  const { title = "CLV by edge bucket", width = 560 } = options;
  const height = 360;
  const m = { left: 60, right: 16, top: 40, bottom: 56 };
  const plotW = width - m.left - m.right, plotH = height - m.top - m.bottom;
  const values = buckets.flatMap((b) => [b.mean_clv_ci95[0], b.mean_clv_ci95[1], 0]);
  const lo = Math.min(0, ...values), hi = Math.max(0, ...values);
  const step = Math.max(0.01, Math.ceil((hi - lo) / 6 * 100) / 100);
  const yMin = Math.floor(lo / step) * step, yMax = Math.ceil(hi / step) * step || step;
  const y = (v: number) => m.top + (yMax - v) / (yMax - yMin) * plotH;
  const x = (i: number) => m.left + (i + 0.5) * plotW / Math.max(1, buckets.length);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  ];
  for (let v = yMin; v <= yMax + 1e-9; v += step) {
    parts.push(
      `<line x1="${m.left - 5}" y1="${fmt(y(v))}" x2="${m.left}" y2="${fmt(y(v))}" stroke="#999"/>`,
      `<text x="${m.left - 8}" y="${fmt(y(v) + 4)}" text-anchor="end">${pct(v)}</text>`,
    );
  }
  parts.push(
    `<line class="zero" x1="${m.left}" y1="${fmt(y(0))}" x2="${m.left + plotW}" y2="${
      fmt(y(0))
    }" stroke="#bbb" stroke-dasharray="4 4"/>`,
    `<text x="${m.left + plotW / 2}" y="${
      height - 10
    }" text-anchor="middle">Edge at the best opening price (bucket)</text>`,
    `<text transform="translate(16 ${
      m.top + plotH / 2
    }) rotate(-90)" text-anchor="middle">Mean CLV vs Pinnacle close</text>`,
  );
  buckets.forEach((b, i) => {
    const label = b.edge_to === null
      ? `>= ${pct(b.edge_from)}`
      : `${pct(b.edge_from)}-${pct(b.edge_to)}`;
    parts.push(
      `<g class="bucket" fill="#1f77b4" stroke="#1f77b4">`,
      `<line x1="${fmt(x(i))}" y1="${fmt(y(b.mean_clv_ci95[0]))}" x2="${fmt(x(i))}" y2="${
        fmt(y(b.mean_clv_ci95[1]))
      }" stroke-width="2"/>`,
      `<circle cx="${fmt(x(i))}" cy="${fmt(y(b.mean_clv))}" r="4"><title>${
        escapeXml(label)
      }: ${b.picks} picks, mean CLV ${pct(b.mean_clv)} [${pct(b.mean_clv_ci95[0])}, ${
        pct(b.mean_clv_ci95[1])
      }]</title></circle>`,
      `</g>`,
      `<text x="${fmt(x(i))}" y="${m.top + plotH + 16}" text-anchor="middle" font-size="10">${
        escapeXml(label)
      }</text>`,
      `<text x="${fmt(x(i))}" y="${
        m.top + plotH + 29
      }" text-anchor="middle" font-size="10" fill="#666">n=${b.picks}</text>`,
    );
  });
  parts.push(`</svg>`);
  return parts.join("\n");
}
