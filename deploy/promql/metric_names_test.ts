import assert from "node:assert/strict";
import {
  dashboardExpressions,
  exposedMetricNames,
  metricNames,
  ruleFileExpressions,
} from "./metric_names.ts";

Deno.test("metricNames: selectors only, not functions, labels, keywords or variables", () => {
  assert.deepEqual(
    metricNames(
      'histogram_quantile(0.95, sum by (job, le) (rate(x_bucket{job="$job", route=~"/a|b"}[5m])))' +
        " > 0.3",
    ),
    ["x_bucket"],
  );
  assert.deepEqual(
    metricNames("sum(rate(a_total[$__rate_interval])) / on () group_left () 0.9 * rec:limit_bytes"),
    ["a_total", "rec:limit_bytes"],
  );
  assert.deepEqual(metricNames("up == 0 and ignoring (x) b offset 5m or vector(1e6)"), ["up", "b"]);
  assert.deepEqual(metricNames('label_values(m_total{job="$job"}, instance)'), ["m_total"]);
  assert.deepEqual(metricNames("label_values(n_total, job)"), ["n_total"]);
});

Deno.test("exposedMetricNames: TYPE lines, with histogram and summary series", () => {
  const names = exposedMetricNames(
    "# HELP a A\n# TYPE a counter\na 1\n# TYPE h histogram\n# TYPE s summary\n# TYPE g gauge\n",
  );
  assert.deepEqual(
    [...names].sort(),
    ["a", "g", "h", "h_bucket", "h_count", "h_sum", "s", "s_count", "s_sum"],
  );
});

Deno.test("ruleFileExpressions: inline and block expressions, recorded names", () => {
  const yaml = [
    "groups:",
    "  - name: g",
    "    rules:",
    "      - record: job:x:rate5m",
    "        expr: vector(1)",
    "      - alert: A",
    "        expr: |",
    "          sum(rate(a_total[5m]))",
    "            > 1",
    "        for: 1m",
    "      - alert: B",
    "        expr: b == 0",
  ].join("\n");
  assert.deepEqual(ruleFileExpressions(yaml), {
    exprs: ["vector(1)", "sum(rate(a_total[5m])) > 1", "b == 0"],
    records: ["job:x:rate5m"],
  });
});

Deno.test("dashboardExpressions: targets and query variables anywhere in the JSON", () => {
  const dashboard = {
    templating: {
      list: [{ type: "datasource", query: "prometheus" }, {
        query: { query: "label_values(a, b)" },
      }],
    },
    panels: [{ targets: [{ expr: "x" }] }, { type: "row", panels: [{ targets: [{ expr: "y" }] }] }],
  };
  assert.deepEqual(dashboardExpressions(dashboard), ["label_values(a, b)", "x", "y"]);
});
