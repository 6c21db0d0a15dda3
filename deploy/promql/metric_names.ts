/**
 * Which metric names a PromQL expression reads, which names a Prometheus text exposition
 * offers, and the expressions and recorded names of a rule file: enough to check that the
 * dashboard and the alert rules only use series the service exposes. A small lexer, not a
 * PromQL parser: it knows functions, grouping clauses, label matchers, ranges and Grafana
 * variables, which is all these files use.
 * @module
 */

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
  "inf",
  "nan",
]);

/** The metric names `expr` selects (Grafana's `label_values(metric, label)` included). */
export function metricNames(expr: string): string[] {
  const text = expr
    // Grafana variables and strings (label values, regexes) name no metric.
    .replace(/\$\{[^}]*\}|\$\w+/g, "0")
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    // label_values(metric, label): the second argument is a label.
    .replace(/label_values\s*\(([^,()]*(?:\{[^}]*\})?)\s*,\s*\w+\s*\)/g, "($1)")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** Series names a text exposition offers (`_bucket`, `_sum`, `_count` for histograms). */
export function exposedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === "histogram") {
      for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
    }
    if (type === "summary") { for (const s of ["_sum", "_count"]) names.add(name + s); }
  }
  return names;
}

/** A rule file's `expr:` values (inline or `|` block) and `record:` names. */
export function ruleFileExpressions(yaml: string): { exprs: string[]; records: string[] } {
  const lines = yaml.split("\n");
  const exprs: string[] = [];
  const records: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const record = /^\s*-?\s*record:\s*(\S+)/.exec(lines[i]);
    if (record) records.push(record[1]);
    const expr = /^(\s*)-?\s*expr:\s*(.*)$/.exec(lines[i]);
    if (!expr) continue;
    if (!/^[|>][-+]?$/.test(expr[2].trim())) {
      exprs.push(expr[2].trim());
      continue;
    }
    const block: string[] = [];
    const indent = expr[1].length;
    while (i + 1 < lines.length) {
      const next = lines[i + 1];
      if (next.trim() !== "" && next.length - next.trimStart().length <= indent) break;
      block.push(next.trim());
      i++;
    }
    exprs.push(block.join(" ").trim());
  }
  return { exprs, records };
}

/** Every PromQL expression of a Grafana dashboard: targets' `expr` and query variables. */
export function dashboardExpressions(dashboard: unknown): string[] {
  const out: string[] = [];
  const visit = (node: unknown, key?: string) => {
    if (typeof node === "string") {
      if (key === "expr" || key === "query" || key === "definition") out.push(node);
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else if (node !== null && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) visit(v, k);
    }
  };
  visit(dashboard);
  // The data source variable's query is a plugin type, not PromQL.
  return out.filter((e) => e !== "prometheus");
}
