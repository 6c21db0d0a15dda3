import assert from "node:assert/strict";

const HERE = new URL("./", import.meta.url);

/** `promtool` from `PROMTOOL` or the `PATH`, undefined when it is not installed. */
function findPromtool(): string | undefined {
  const explicit = Deno.env.get("PROMTOOL");
  if (explicit) return explicit;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter((d) => d !== "")) {
    try {
      if (Deno.statSync(`${dir}/promtool`).isFile) return `${dir}/promtool`;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

const PROMTOOL = findPromtool();
if (PROMTOOL === undefined) {
  console.warn("Skipping the Prometheus rule tests: promtool is not installed (or set PROMTOOL)");
}

async function promtool(...args: string[]) {
  const out = await new Deno.Command(PROMTOOL!, {
    args,
    cwd: HERE,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

Deno.test({
  name: "alerts.yml: promtool accepts the rules and the example configuration",
  ignore: PROMTOOL === undefined,
  async fn() {
    const rules = await promtool("check", "rules", "alerts.yml");
    assert.equal(rules.code, 0, rules.text);
    assert.match(rules.text, /SUCCESS: \d+ rules found/);
    const config = await promtool("check", "config", "prometheus.yml");
    assert.equal(config.code, 0, config.text);
  },
});

Deno.test({
  name: "alerts.yml: every alert fires in alerts_test.yml (promtool test rules)",
  ignore: PROMTOOL === undefined,
  async fn() {
    const result = await promtool("test", "rules", "alerts_test.yml");
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
