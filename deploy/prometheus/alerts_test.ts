import assert from "node:assert/strict";
import { PROMTOOL, promtool } from "../testing/promtool.ts";

const HERE = new URL("./", import.meta.url);

Deno.test({
  name: "alerts.yml: promtool accepts the rules and the example configuration",
  ignore: PROMTOOL === undefined,
  async fn() {
    const rules = await promtool(["check", "rules", "alerts.yml"], HERE);
    assert.equal(rules.code, 0, rules.text);
    assert.match(rules.text, /SUCCESS: \d+ rules found/);
    const config = await promtool(["check", "config", "prometheus.yml"], HERE);
    assert.equal(config.code, 0, config.text);
  },
});

Deno.test({
  name: "alerts.yml: every alert fires in alerts_test.yml (promtool test rules)",
  ignore: PROMTOOL === undefined,
  async fn() {
    const result = await promtool(["test", "rules", "alerts_test.yml"], HERE);
    assert.equal(result.code, 0, result.text);
    assert.match(result.text, /SUCCESS/);
    // Each alert of alerts.yml has a test case that expects it to fire.
    const alerts = [...(await Deno.readTextFile(new URL("alerts.yml", HERE)))
      .matchAll(/^\s+- alert: (\S+)/gm)].map((m) => m[1]);
    const tests = await Deno.readTextFile(new URL("alerts_test.yml", HERE));
    assert.ok(alerts.length >= 8, `alerts: ${alerts}`);
    for (const alert of alerts) {
      assert.match(tests, new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
    }
  },
});
