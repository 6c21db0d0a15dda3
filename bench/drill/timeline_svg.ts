/**
 * A picture of a drill run: REST p99 latency, service RSS and events published per second over
 * time, one panel each, with the phases as shaded bands. Plain SVG text, no dependencies.
 * @module
 */

/** What the picture is drawn from (times in ms since the drill started). */
export interface TimelineData {
  phases: { name: string; start: number; end: number }[];
  requests: { t: number; ms: number; status: number }[];
  resources: { t: number; rss_bytes: number; last_event_id: number }[];
}

const W = 960;
const PANEL = 150;
const LEFT = 70;
const TOP = 30;

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function polyline(points: [number, number][], color: string): string {
  if (points.length === 0) return "";
  const d = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
  return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${d}"/>`;
}

/** The timeline as an SVG document. */
export function timelineSvg(data: TimelineData): string {
  const end = Math.max(1, ...data.phases.map((p) => p.end), ...data.resources.map((r) => r.t));
  const x = (t: number) => LEFT + (t / end) * (W - LEFT - 20);
  // p99 per 2 s bucket of answered requests.
  const buckets = new Map<number, number[]>();
  for (const r of data.requests) {
    if (r.status <= 0) continue;
    const k = Math.floor(r.t / 2000);
    (buckets.get(k) ?? buckets.set(k, []).get(k)!).push(r.ms);
  }
  const p99: [number, number][] = [...buckets].sort((a, b) => a[0] - b[0]).map(([k, v]) => {
    v.sort((a, b) => a - b);
    return [k * 2000 + 1000, v[Math.min(v.length - 1, Math.ceil(v.length * 0.99) - 1)]];
  });
  const rss: [number, number][] = data.resources.map((r) => [r.t, r.rss_bytes / 2 ** 20]);
  const rate: [number, number][] = [];
  for (let i = 1; i < data.resources.length; i++) {
    const a = data.resources[i - 1], b = data.resources[i];
    const dt = (b.t - a.t) / 1000;
    if (dt > 0) rate.push([b.t, Math.max(0, (b.last_event_id - a.last_event_id) / dt)]);
  }
  const panels: { title: string; unit: string; series: [number, number][]; color: string }[] = [
    { title: "REST p99 latency (2 s buckets)", unit: "ms", series: p99, color: "#c0392b" },
    { title: "service RSS", unit: "MB", series: rss, color: "#2c3e50" },
    { title: "events published", unit: "/s", series: rate, color: "#27ae60" },
  ];
  const height = TOP + panels.length * (PANEL + 30) + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${height}" fill="white"/>`,
  ];
  data.phases.forEach((p, i) => {
    const fill = i % 2 ? "#f4f6f8" : "#e8edf2";
    out.push(
      `<rect x="${x(p.start).toFixed(1)}" y="${TOP - 12}" width="${
        Math.max(1, x(p.end) - x(p.start)).toFixed(1)
      }" height="${height - TOP}" fill="${fill}"/>`,
      `<text x="${(x(p.start) + 3).toFixed(1)}" y="${TOP - 2}">${escape(p.name)}</text>`,
    );
  });
  panels.forEach((panel, i) => {
    const y0 = TOP + 10 + i * (PANEL + 30);
    const max = Math.max(1, ...panel.series.map(([, v]) => v)) * 1.1;
    const y = (v: number) => y0 + PANEL - (v / max) * PANEL;
    out.push(
      `<text x="${LEFT}" y="${y0 + 10}" font-weight="bold">${escape(panel.title)}</text>`,
      `<line x1="${LEFT}" y1="${y0 + PANEL}" x2="${W - 20}" y2="${y0 + PANEL}" stroke="#999"/>`,
      `<line x1="${LEFT}" y1="${y0}" x2="${LEFT}" y2="${y0 + PANEL}" stroke="#999"/>`,
      `<text x="${LEFT - 5}" y="${y0 + 10}" text-anchor="end">${
        max.toFixed(0)
      } ${panel.unit}</text>`,
      `<text x="${LEFT - 5}" y="${y0 + PANEL}" text-anchor="end">0</text>`,
      polyline(panel.series.map(([t, v]) => [x(t), y(v)]), panel.color),
    );
  });
  out.push(
    `<text x="${W - 20}" y="${height - 2}" text-anchor="end">${(end / 1000).toFixed(0)} s</text>`,
    "</svg>",
  );
  return out.join("\n") + "\n";
}
