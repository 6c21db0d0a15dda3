/**
 * Renders a {@link ValidationReport}: a table with status and time per check and a summary
 * line, or one JSON document.
 * @module
 */
import type { ValidationReport } from "./validate.ts";

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The summary line, e.g. "13 checks: 13 passed, 0 failed in 0.4 s (attempt 1/1)". */
export function summaryLine(report: ValidationReport): string {
  const passed = report.results.filter((r) => r.ok).length;
  const failed = report.results.length - passed;
  return `${report.results.length} checks: ${passed} passed, ${failed} failed in ` +
    `${formatMs(report.totalMs)} (attempt ${report.attempt}/${report.maxAttempts}) - ` +
    (report.ok ? "deployment OK" : "deployment FAILED");
}

/** The report as a plain-text table followed by the summary line. */
export function formatTable(report: ValidationReport): string {
  const rows = [
    ["CHECK", "STATUS", "TIME", "DETAIL"],
    ...report.results.map((r) => [r.name, r.ok ? "PASS" : "FAIL", formatMs(r.ms), r.detail]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) =>
    row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join("  ").trimEnd()
  );
  const header = `Validating API ${report.apiUrl}` +
    (report.webUrl === report.apiUrl ? "" : ` and web ${report.webUrl}`);
  return [header, "", ...lines, "", summaryLine(report)].join("\n");
}

/** The report as JSON (times rounded to 0.1 ms). */
export function formatJson(report: ValidationReport): string {
  return JSON.stringify(
    {
      ok: report.ok,
      api_url: report.apiUrl,
      web_url: report.webUrl,
      attempt: report.attempt,
      max_attempts: report.maxAttempts,
      total_ms: Math.round(report.totalMs * 10) / 10,
      checks: report.results.map((r) => ({ ...r, ms: Math.round(r.ms * 10) / 10 })),
    },
    null,
    2,
  );
}
