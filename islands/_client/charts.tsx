/**
 * Small hand-drawn SVG charts used by pages (server-rendered) and islands: the 1X2 probability
 * bar, the correct-score heat-map, line charts and the reliability diagram. Every chart has a
 * text alternative, and series differ by dash pattern and labels, not only by colour.
 * @module
 */
import { formatPercent } from "./format.ts";

/** Props of {@link ProbabilityBar}. */
export interface ProbabilityBarProps {
  home: number;
  draw: number;
  away: number;
  /** Accessible label prefix, e.g. `Model`. @default "Model" */
  label?: string;
}

/** A coordinate to a tenth of a user unit: finer digits change no pixel and cost bytes per row. */
const tenth = (v: number) => Math.round(v * 10) / 10;

/**
 * The model's 1X2 as one stacked bar with the percentages written on it. The `<title>` names the
 * picture for assistive technology (and gives a tooltip); the label's placement lives in the
 * stylesheet, since the board draws one bar per match.
 */
export function ProbabilityBar({ home, draw, away, label = "Model" }: ProbabilityBarProps) {
  const total = home + draw + away || 1;
  const parts = [
    { key: "home", short: "1", p: home / total },
    { key: "draw", short: "X", p: draw / total },
    { key: "away", short: "2", p: away / total },
  ];
  let x = 0;
  const text = `${label}: home ${formatPercent(parts[0].p)}, draw ${
    formatPercent(parts[1].p)
  }, away ${formatPercent(parts[2].p)}`;
  return (
    <svg class="prob-bar" viewBox="0 0 300 22" role="img">
      <title>{text}</title>
      {parts.flatMap((part) => {
        const w = part.p * 300;
        const shapes = [
          <rect
            key={part.key}
            x={x > 0 ? tenth(x) : undefined}
            width={tenth(w)}
            height={22}
          />,
        ];
        if (w >= 42) {
          shapes.push(
            <text key={`${part.key}-label`} x={tenth(x + w / 2)} y={15}>
              {`${part.short} ${formatPercent(part.p)}`}
            </text>,
          );
        }
        x += w;
        return shapes;
      })}
    </svg>
  );
}

/** Props of {@link ScoreHeatmap}. */
export interface ScoreHeatmapProps {
  /** P(home = i, away = j). */
  matrix: number[][];
  home: string;
  away: string;
  /** Goals per side shown (the last row/column is that many or more). @default 6 */
  size?: number;
}

/** The correct-score heat-map: rows are home goals, columns away goals, darker is likelier. */
export function ScoreHeatmap({ matrix, home, away, size = 6 }: ScoreHeatmapProps) {
  const n = Math.min(size, matrix.length);
  const cells: { i: number; j: number; p: number }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let p = 0;
      // The last row/column collects the tail ("n-1 or more").
      const rows = i === n - 1 ? matrix.slice(i) : [matrix[i]];
      for (const row of rows) {
        const cols = j === n - 1 ? row.slice(j) : [row[j]];
        for (const v of cols) p += Number.isFinite(v) ? v : 0;
      }
      cells.push({ i, j, p });
    }
  }
  const max = Math.max(...cells.map((c) => c.p), 1e-9);
  const top = [...cells].sort((a, b) => b.p - a.p).slice(0, 3);
  const name = (i: number) => (i === n - 1 ? `${i}+` : String(i));
  const summary = `Correct-score heat-map. Most likely: ${
    top.map((c) => `${name(c.i)}-${name(c.j)} ${formatPercent(c.p, 1)}`).join(", ")
  }`;
  const cell = 40, pad = 34;
  const w = pad + n * cell + 4;
  return (
    <figure class="chart heatmap">
      <svg viewBox={`0 0 ${w} ${w + 4}`} role="img" aria-label={summary} data-chart="heatmap">
        <title>{summary}</title>
        <text x={pad + (n * cell) / 2} y={11} class="axis-title" text-anchor="middle">
          {`${away} goals`}
        </text>
        <text
          x={10}
          y={pad + (n * cell) / 2}
          class="axis-title"
          text-anchor="middle"
          transform={`rotate(-90 10 ${pad + (n * cell) / 2})`}
        >
          {`${home} goals`}
        </text>
        {Array.from({ length: n }, (_, k) => (
          <g key={`l${k}`}>
            <text x={pad + k * cell + cell / 2} y={28} class="tick" text-anchor="middle">
              {name(k)}
            </text>
            <text x={pad - 6} y={pad + k * cell + cell / 2 + 4} class="tick" text-anchor="end">
              {name(k)}
            </text>
          </g>
        ))}
        {cells.map((c) => {
          const strength = c.p / max;
          return (
            <g key={`${c.i}-${c.j}`}>
              <rect
                x={pad + c.j * cell}
                y={pad + c.i * cell}
                width={cell - 2}
                height={cell - 2}
                rx={3}
                class="heat-cell"
                fill-opacity={(0.08 + 0.92 * strength).toFixed(3)}
              >
                <title>{`${name(c.i)}-${name(c.j)}: ${formatPercent(c.p, 1)}`}</title>
              </rect>
              <text
                x={pad + c.j * cell + (cell - 2) / 2}
                y={pad + c.i * cell + cell / 2 + 2}
                text-anchor="middle"
                class={strength > 0.55 ? "heat-label strong" : "heat-label"}
              >
                {(c.p * 100).toFixed(c.p >= 0.1 ? 0 : 1)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        Probability of each score in %, {home} goals down, {away} goals across.
      </figcaption>
    </figure>
  );
}

/** One line of a {@link LineChart}. */
export interface LineSeries {
  name: string;
  /** x (e.g. epoch ms) and y pairs, in x order. */
  points: [number, number][];
  /** CSS class suffix for the colour: `a`, `b`, `c`. */
  tone: "a" | "b" | "c";
  /** SVG dash pattern so series differ without colour. */
  dash?: string;
}

/** Props of {@link LineChart}. */
export interface LineChartProps {
  series: LineSeries[];
  /** Accessible summary of what the chart shows. */
  label: string;
  formatX: (x: number) => string;
  formatY: (y: number) => string;
  /** Draw a horizontal reference line at this y (e.g. 0 profit). */
  baseline?: number;
  /** Name used by tests and styles. */
  chart?: string;
}

function niceTicks(min: number, max: number, count = 4): number[] {
  if (min === max) return [min];
  const step = (max - min) / count;
  return Array.from({ length: count + 1 }, (_, i) => min + i * step);
}

/** A small multi-series line chart with axes, a legend and point markers. */
export function LineChart({ series, label, formatX, formatY, baseline, chart }: LineChartProps) {
  const all = series.flatMap((s) => s.points);
  const width = 560, height = 220, left = 48, right = 12, top = 12, bottom = 28;
  if (all.length === 0) {
    return <p class="empty">No data to chart yet.</p>;
  }
  let minX = Math.min(...all.map((p) => p[0])), maxX = Math.max(...all.map((p) => p[0]));
  let minY = Math.min(...all.map((p) => p[1])), maxY = Math.max(...all.map((p) => p[1]));
  if (baseline !== undefined) {
    minY = Math.min(minY, baseline);
    maxY = Math.max(maxY, baseline);
  }
  if (minX === maxX) {
    minX -= 1;
    maxX += 1;
  }
  const padY = (maxY - minY) * 0.1 || Math.abs(maxY) * 0.05 || 1;
  minY -= padY;
  maxY += padY;
  const sx = (x: number) => left + ((x - minX) / (maxX - minX)) * (width - left - right);
  const sy = (y: number) => top + (1 - (y - minY) / (maxY - minY)) * (height - top - bottom);
  const yTicks = niceTicks(minY, maxY);
  const xTicks = niceTicks(minX, maxX, 3);
  return (
    <figure class="chart line-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} data-chart={chart}>
        <title>{label}</title>
        {yTicks.map((y, i) => (
          <g key={`y${i}`}>
            <line x1={left} x2={width - right} y1={sy(y)} y2={sy(y)} class="grid" />
            <text x={left - 6} y={sy(y) + 4} class="tick" text-anchor="end">{formatY(y)}</text>
          </g>
        ))}
        {xTicks.map((x, i) => (
          <text
            key={`x${i}`}
            x={sx(x)}
            y={height - 8}
            class="tick"
            text-anchor={i === 0 ? "start" : i === xTicks.length - 1 ? "end" : "middle"}
          >
            {formatX(x)}
          </text>
        ))}
        {baseline !== undefined && (
          <line x1={left} x2={width - right} y1={sy(baseline)} y2={sy(baseline)} class="baseline" />
        )}
        {series.map((s) => (
          <g key={s.name} class={`series tone-${s.tone}`}>
            <polyline
              points={s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(
                " ",
              )}
              stroke-dasharray={s.dash}
            />
            {s.points.length <= 40 &&
              s.points.map((p, i) => <circle key={i} cx={sx(p[0])} cy={sy(p[1])} r={2.5} />)}
          </g>
        ))}
      </svg>
      <figcaption class="legend">
        {series.map((s) => (
          <span key={s.name} class={`legend-item tone-${s.tone}`}>
            <svg width="22" height="8" aria-hidden="true">
              <line x1="0" x2="22" y1="4" y2="4" stroke-dasharray={s.dash} />
            </svg>
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Props of {@link ReliabilityDiagram}. */
export interface ReliabilityDiagramProps {
  bins: { predicted: number; observed: number; count?: number }[];
  label: string;
}

/** Predicted probability against observed frequency; the diagonal is perfect calibration. */
export function ReliabilityDiagram({ bins, label }: ReliabilityDiagramProps) {
  const size = 260, pad = 40, right = 20;
  const span = size - pad - right;
  const s = (v: number) => pad + v * span;
  const y = (v: number) => size - pad - v * span + 12;
  const maxCount = Math.max(1, ...bins.map((b) => b.count ?? 1));
  return (
    <figure class="chart reliability">
      <svg viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} data-chart="reliability">
        <title>{label}</title>
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line x1={s(0)} x2={s(1)} y1={y(t)} y2={y(t)} class="grid" />
            <text x={pad - 6} y={y(t) + 4} class="tick" text-anchor="end">{formatPercent(t)}</text>
            <text x={s(t)} y={size - pad + 30} class="tick" text-anchor="middle">
              {formatPercent(t)}
            </text>
          </g>
        ))}
        <line x1={s(0)} y1={y(0)} x2={s(1)} y2={y(1)} class="baseline" stroke-dasharray="4 3" />
        <polyline
          class="series tone-a"
          points={bins.map((b) => `${s(b.predicted).toFixed(1)},${y(b.observed).toFixed(1)}`).join(
            " ",
          )}
        />
        {bins.map((b, i) => (
          <circle
            key={i}
            class="dot tone-a"
            cx={s(b.predicted)}
            cy={y(b.observed)}
            r={2.5 + 3.5 * Math.sqrt((b.count ?? 1) / maxCount)}
          >
            <title>
              {`Predicted ${formatPercent(b.predicted, 1)}, observed ${
                formatPercent(b.observed, 1)
              }${b.count ? ` (${b.count} outcomes)` : ""}`}
            </title>
          </circle>
        ))}
      </svg>
      <figcaption>
        Predicted probability (across) against how often it happened (up). Dots on the dashed
        diagonal mean well calibrated; dot size shows how many outcomes a bin holds.
      </figcaption>
    </figure>
  );
}
