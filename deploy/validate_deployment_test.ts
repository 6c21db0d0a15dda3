import assert from "node:assert/strict";
import { freePort, startService } from "./testing/service_process.ts";
import { formatJson, formatTable } from "./validate/report.ts";
import { CHECKS, validateDeployment } from "./validate/validate.ts";
import { validateDeploymentCommand } from "./validate_deployment.ts";
import { FleetCluster } from "../server/testing/fleet_cluster.ts";
import { SHARED_REDIS } from "../server/fleet/test_redis.ts";

const ROOT = new URL("../", import.meta.url);

async function runCli(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "deploy/validate_deployment.ts", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("validateDeployment: every check passes against a started service", async (t) => {
  const service = await startService();
  try {
    await t.step("as a function", async () => {
      const report = await validateDeployment({ apiUrl: service.url });
      const failed = report.results.filter((r) => !r.ok);
      assert.deepEqual(failed, [], formatTable(report));
      assert.equal(report.ok, true);
      assert.deepEqual(report.results.map((r) => r.name), CHECKS.map((c) => c.name));
      const ready = report.results.find((r) => r.name === "GET /health/ready");
      assert.match(ready?.detail ?? "", /models: \d+ available, \d+ loaded/);
      const bundle = report.results.find((r) => r.name === "GET static bundle");
      assert.match(bundle?.detail ?? "", /\.js: cache-control ".*max-age=\d+/);
      const json = JSON.parse(formatJson(report));
      assert.equal(json.ok, true);
      assert.equal(json.checks.length, CHECKS.length);
    });

    await t.step("as a command: a table, exit code 0", async () => {
      const { code, stdout } = await runCli([service.url, service.url]);
      assert.equal(code, 0, stdout);
      for (const check of CHECKS) {
        assert.match(stdout, new RegExp(`^${RegExp.escape(check.name)} +PASS +\\d+ m?s`, "m"));
      }
      assert.match(
        stdout,
        new RegExp(`${CHECKS.length} checks: ${CHECKS.length} passed, 0 failed`),
      );
    });
  } finally {
    await service.close();
  }
});

Deno.test({
  name: "validate-deployment: every check passes against each instance of a fleet on Redis",
  ignore: !SHARED_REDIS,
  async fn() {
    // The production process: ONNX models, the demo bookmaker, the web layer, in fleet mode.
    const cluster = await FleetCluster.start({
      instances: 2,
      env: { PREDICTION_ENGINE: "onnx", DEMO_BOOKMAKER: "true", LOG_LEVEL: "warn" },
    });
    try {
      for (const instance of cluster.instances) {
        const { code, stdout } = await runCli([instance.url]);
        assert.equal(code, 0, stdout);
        assert.match(
          stdout,
          new RegExp(`${CHECKS.length} checks: ${CHECKS.length} passed, 0 failed`),
        );
        const { body } = await instance.json<{ components: { redis: Record<string, unknown> } }>(
          "/health",
        );
        assert.equal(body.components.redis.state, "up", "it ran in fleet mode");
      }
    } finally {
      await cluster.close();
    }
  },
});

Deno.test("validateDeployment: a service without models fails readiness and predictions", async () => {
  const models = await Deno.makeTempDir({ prefix: "sabiscore-no-models-" });
  const service = await startService({
    env: { MODEL_DIR: models, SKIP_S3: "true" },
    readyPath: "/health/live",
  });
  try {
    const report = await validateDeployment({ apiUrl: service.url });
    assert.equal(report.ok, false);
    const byName = new Map(report.results.map((r) => [r.name, r]));
    assert.equal(byName.get("GET /health/live")?.ok, true);
    assert.equal(byName.get("GET /health")?.detail, 'Status "down" (503): ml_models down');
    assert.equal(byName.get("GET /health/ready")?.ok, false);
    assert.match(byName.get("GET /health/ready")?.detail ?? "", /^Not ready \(503\): models \(/);
    assert.equal(byName.get("POST /api/v1/predictions")?.ok, false);
  } finally {
    await service.close();
    await Deno.remove(models, { recursive: true });
  }
});

Deno.test("validate-deployment: a closed port gives a failure table and exit code 1", async () => {
  const url = `http://127.0.0.1:${freePort()}`;
  const { code, stdout, stderr } = await runCli([url]);
  assert.equal(code, 1);
  assert.match(stdout, new RegExp(`GET /health +FAIL .*Cannot reach ${url}: connection refused`));
  assert.match(stdout, /0 passed, \d+ failed .* deployment FAILED/);
  assert.equal(stdout.match(/ PASS /g), null);
  assert.doesNotMatch(stdout + stderr, /\bat .*\.ts:\d+/, "no stack trace");
});

Deno.test("validate-deployment --poll --json: progress on stderr, one JSON report on stdout", async () => {
  const url = `http://127.0.0.1:${freePort()}`;
  const { code, stdout, stderr } = await runCli([
    url,
    "--poll",
    "--max-attempts",
    "2",
    "--interval",
    "0",
    "--json",
  ]);
  assert.equal(code, 1);
  const report = JSON.parse(stdout);
  assert.equal(report.ok, false);
  assert.equal(report.attempt, 2);
  assert.equal(report.max_attempts, 2);
  assert.equal(report.checks.length, CHECKS.length);
  assert.match(report.checks[0].detail, /connection refused/);
  assert.match(stderr, /^attempt 1\/2: \d+ of \d+ checks failed .*; retrying in 0 s$/m);
  assert.doesNotMatch(stderr, /attempt 2\/2/, "no retry after the last attempt");
});

Deno.test("validate-deployment --poll: passes once a service started after it is ready", async () => {
  const port = freePort();
  const progress: string[] = [];
  let attemptsBeforeStart = 0;
  const validation = validateDeployment({
    apiUrl: `http://127.0.0.1:${port}`,
    poll: true,
    maxAttempts: 400,
    intervalSeconds: 0.25,
    onProgress: (line) => progress.push(line),
  });
  // The service starts only after the validator has failed once.
  while (progress.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  attemptsBeforeStart = progress.length;
  const service = await startService({ port });
  try {
    const report = await validation;
    assert.equal(report.ok, true, formatTable(report));
    assert.ok(report.attempt > attemptsBeforeStart, `attempt ${report.attempt}`);
    assert.equal(report.maxAttempts, 400);
    assert.match(
      progress[0],
      /^attempt 1\/400: \d+ of \d+ checks failed .*connection refused.*retrying in 0.25 s$/,
    );
  } finally {
    await service.close();
  }
});

Deno.test("validate-deployment: bad arguments are a usage error with exit code 2", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (line: string) => errors.push(line);
  try {
    assert.equal(await validateDeploymentCommand([]), 2);
    assert.equal(await validateDeploymentCommand(["ftp://example.com"]), 2);
    assert.equal(await validateDeploymentCommand(["http://x", "--poll", "--max-attempts", "0"]), 2);
  } finally {
    console.error = original;
  }
  assert.match(errors[0], /^Expected the API URL\nUsage: deno task validate-deployment <api-url>/);
  assert.match(
    errors[1],
    /^Expected the API URL to be an http or https URL, got "ftp:\/\/example.com"/,
  );
  assert.match(errors[2], /^Expected --max-attempts to be a whole number of at least 1, got "0"/);
});
