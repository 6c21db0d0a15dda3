import assert from "node:assert/strict";
import { dashboardExpressions } from "../promql/metric_names.ts";
import { PROMTOOL, promtool } from "../testing/promtool.ts";

const HERE = new URL("./", import.meta.url);

/** Values Grafana would put in for the dashboard's variables. */
const VARIABLES: Record<string, string> = {
  "$__rate_interval": "2m",
  "$instance": ".*",
  "$job": "sabiscore",
};

Deno.test({
  name: "dashboard.json: every panel query is valid PromQL (promtool check rules)",
  ignore: PROMTOOL === undefined,
  async fn() {
    const dashboard = JSON.parse(await Deno.readTextFile(new URL("dashboard.json", HERE)));
    const exprs = dashboardExpressions(dashboard)
      // label_values() is Grafana's, not PromQL.
      .filter((e) => !e.startsWith("label_values("))
      .map((e) => e.replace(/\$[\w]+/g, (v) => VARIABLES[v] ?? v));
    assert.ok(exprs.length >= 15, `${exprs.length} queries`);
    const rules = exprs.map((e, i) =>
      `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(e)}`
    );
    const dir = await Deno.makeTempDir({ prefix: "sabiscore-dashboard-" });
    try {
      await Deno.writeTextFile(
        `${dir}/queries.yml`,
        `groups:\n  - name: dashboard\n    rules:\n${rules.join("\n")}\n`,
      );
      const result = await promtool(["check", "rules", "queries.yml"], dir);
      assert.equal(result.code, 0, result.text);
      assert.match(result.text, new RegExp(`SUCCESS: ${exprs.length} rules found`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
