import assert from "node:assert/strict";
import { createMetrics } from "./metrics.ts";

function hasPromtool(): boolean {
  try {
    new Deno.Command("promtool", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
    return true;
  } catch {
    return false;
  }
}

Deno.test("createMetrics: names follow Prometheus rules (_total only on counters)", async () => {
  const text = await createMetrics().text();
  const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({
    name,
    type,
  }));
  assert.ok(types.some((t) => t.name === "nodejs_active_handles"), "default metrics are there");
  for (const { name, type } of types) {
    assert.match(name, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    if (type === "counter") assert.match(name, /_total$/, `counter ${name}`);
    else assert.doesNotMatch(name, /_total$/, `${type} ${name}`);
  }
});

Deno.test({
  name: "createMetrics: promtool check metrics finds nothing to report",
  ignore: !hasPromtool(),
  async fn() {
    const text = await createMetrics().text();
    const child = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    const out = await child.output();
    const report = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, report);
    assert.equal(report.trim(), "", report);
  },
});
