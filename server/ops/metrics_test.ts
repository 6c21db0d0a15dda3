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
    // Fleet mode's series with samples in them, next to the embedded ones.
    const metrics = createMetrics();
    const hooks = metrics.redisHooks();
    hooks.onUp?.(true);
    hooks.onCommand?.("rate_limit", 0.0002);
    hooks.onFallback?.("rate_limit");
    metrics.setSourceLeader("demo", true);
    const text = await metrics.text();
    assert.match(text, /^sabiscore_redis_up 1$/m);
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

Deno.test("createMetrics: redis_up exists only in fleet mode; the Redis hooks feed their series", async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  assert.doesNotMatch(
    await metrics.text(),
    /^sabiscore_redis_up /m,
    "embedded: no Redis-down alert",
  );
  const hooks = metrics.redisHooks();
  assert.match(await metrics.text(), /^sabiscore_redis_up 0$/m, "fleet mode before connecting");
  hooks.onUp?.(true);
  hooks.onCommand?.("heartbeat", 0.0003);
  hooks.onFallback?.("rate_limit");
  hooks.onFallback?.("rate_limit");
  metrics.setSourceLeader("demo", true);
  metrics.setSourceLeader("oddsportal", false);
  metrics.redisHooks();
  const text = await metrics.text();
  assert.match(text, /^sabiscore_redis_up 1$/m);
  assert.match(text, /^sabiscore_redis_command_duration_seconds_count\{command="heartbeat"\} 1$/m);
  assert.match(text, /^sabiscore_redis_fallbacks_total\{component="rate_limit"\} 2$/m);
  assert.match(text, /^sabiscore_source_leader\{source="demo"\} 1$/m);
  assert.match(text, /^sabiscore_source_leader\{source="oddsportal"\} 0$/m);
});
