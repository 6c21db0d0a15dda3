import assert from "node:assert/strict";
import { CONFIG_VARIABLES, loadConfig } from "../server/ops/config.ts";
import { FleetCluster } from "../server/testing/fleet_cluster.ts";
import { freePort } from "./testing/service_process.ts";
import { SHARED_REDIS } from "../server/fleet/test_redis.ts";

const ROOT = new URL("../", import.meta.url);

type Yaml = string | Yaml[] | { [key: string]: Yaml };

/**
 * Reads the YAML subset the blueprint uses: block mappings and sequences, plain and quoted
 * scalars, `[]`, comments. Enough to check the file's structure without a YAML dependency.
 */
function readYaml(text: string): Yaml {
  const lines = text.split("\n")
    .map((raw) => raw.replace(/\s+#.*$/, "").replace(/^\s*#.*$/, ""))
    .filter((l) => l.trim() !== "")
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  let i = 0;
  function scalar(s: string): Yaml {
    if (s === "[]") return [];
    const q = /^"(.*)"$/.exec(s) ?? /^'(.*)'$/.exec(s);
    return q ? q[1] : s;
  }
  function block(indent: number): Yaml {
    if (lines[i].text.startsWith("- ")) {
      const list: Yaml[] = [];
      while (i < lines.length && lines[i].indent === indent && lines[i].text.startsWith("- ")) {
        // A "- key: value" item is a mapping whose keys sit two columns further in.
        lines[i] = { indent: indent + 2, text: lines[i].text.slice(2) };
        list.push(block(indent + 2));
      }
      return list;
    }
    const map: Record<string, Yaml> = {};
    while (i < lines.length && lines[i].indent === indent && !lines[i].text.startsWith("- ")) {
      const m = /^([^:]+):(?:\s+(.*))?$/.exec(lines[i].text);
      if (!m) throw new Error(`Cannot read line "${lines[i].text}"`);
      i++;
      if (m[2] !== undefined) map[m[1]] = scalar(m[2]);
      else map[m[1]] = i < lines.length && lines[i].indent >= indent ? block(lines[i].indent) : "";
    }
    return map;
  }
  return block(0);
}

interface EnvVar {
  key: string;
  value?: string;
  sync?: string;
  fromService?: { type: string; name: string; property: string };
}

interface Service {
  type: string;
  name: string;
  [k: string]: unknown;
}

const blueprint = readYaml(await Deno.readTextFile(new URL("render.yaml", ROOT))) as {
  services: Service[];
};
const web = blueprint.services.find((s) => s.type === "web")!;
const envVars = web.envVars as EnvVar[];

Deno.test("render.yaml: a fleet of 2+ web instances on /health/ready, no disk, Redis from Key Value", () => {
  assert.ok(Number(web.numInstances) >= 2, `numInstances ${web.numInstances}`);
  assert.equal(web.healthCheckPath, "/health/ready");
  assert.equal(web.disk, undefined, "fleet mode needs no disk");
  assert.equal(web.runtime, "docker");
  assert.ok(Deno.statSync(new URL(String(web.dockerfilePath), ROOT)).isFile);
  assert.ok(Number(web.maxShutdownDelaySeconds) <= 30, "fits Render's shutdown window");

  const redisUrl = envVars.find((v) => v.key === "REDIS_URL");
  assert.equal(redisUrl?.fromService?.type, "keyvalue");
  assert.equal(redisUrl?.fromService?.property, "connectionString");
  const kv = blueprint.services.find((s) => s.name === redisUrl?.fromService?.name);
  assert.equal(kv?.type, "keyvalue", "REDIS_URL names the blueprint's Key Value instance");
  assert.deepEqual(kv?.ipAllowList, [], "reachable only from the private network");
  assert.equal(kv?.maxmemoryPolicy, "noeviction");
});

Deno.test("render.yaml: every configuration variable has a production value the service accepts", () => {
  const keys = new Set(envVars.map((v) => v.key));
  // INSTANCE_ID must differ per instance, which one blueprint value cannot do.
  const missing = CONFIG_VARIABLES.filter((k) => !keys.has(k) && k !== "INSTANCE_ID");
  assert.deepEqual(missing, []);
  assert.ok(!keys.has("INSTANCE_ID"));
  for (const v of envVars) {
    assert.ok(CONFIG_VARIABLES.includes(v.key), `${v.key} is a variable the service reads`);
    const sources = [v.value !== undefined, v.sync === "false", v.fromService !== undefined];
    assert.equal(sources.filter(Boolean).length, 1, `${v.key} has one source`);
  }
  const env: Record<string, string> = { REDIS_URL: "redis://red-abc123:6379" };
  for (const v of envVars) if (v.value !== undefined) env[v.key] = v.value;
  const config = loadConfig(env);
  assert.equal(config.redis?.url, "redis://red-abc123:6379");
  assert.equal(config.kvPath, ":memory:");
  assert.equal(config.predictionEngine, "onnx");
  assert.ok(config.shutdownDrainMs + config.shutdownTimeoutMs < 30_000);
});

Deno.test("render.yaml: MEMORY_LIMIT_MB equals the memory limit of the alert rules", async () => {
  const rules = await Deno.readTextFile(new URL("deploy/prometheus/alerts.yml", ROOT));
  const limit = /record: sabiscore:memory_limit_bytes\s+expr: vector\((\d+)\)/.exec(rules);
  const mb = envVars.find((v) => v.key === "MEMORY_LIMIT_MB")?.value;
  assert.equal(Number(limit?.[1]), Number(mb) * 1024 * 1024);
});

const dockerfile = await Deno.readTextFile(new URL("Dockerfile", ROOT));

Deno.test("Dockerfile: non-root, dependencies in their own layer, HEALTHCHECK on /health/live", () => {
  const steps = dockerfile.split("\n").filter((l) => /^[A-Z]+\s/.test(l));
  const at = (re: RegExp) => steps.findIndex((l) => re.test(l));
  const user = steps.filter((l) => l.startsWith("USER ")).at(-1);
  assert.ok(user && !/\b(root|0)\b/.test(user), `runs as ${user}`);
  const lockCopy = at(/^COPY .*deno\.json deno\.lock/);
  const install = at(/^RUN deno install/);
  const allCopy = at(/^COPY .* \. \.$/);
  assert.ok(lockCopy >= 0 && lockCopy < install && install < allCopy, "deps before the code");
  assert.match(dockerfile, /HEALTHCHECK[^\n]*\\\n\s*CMD [^\n]*\/health\/live/);
});

/** The HEALTHCHECK's script with its port replaced: the check the container runs. */
function healthcheckScript(port: number): string {
  const cmd = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(dockerfile)![1];
  const args = JSON.parse(cmd) as string[];
  assert.deepEqual(args.slice(0, 2), ["deno", "eval"]);
  const envPort = /ENV PORT=(\d+)/.exec(dockerfile)![1];
  assert.ok(args[2].includes(`127.0.0.1:${envPort}/`), "it probes the port the image listens on");
  return args[2].replace(`127.0.0.1:${envPort}/`, `127.0.0.1:${port}/`);
}

async function runHealthcheck(port: number): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", healthcheckScript(port)],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.code;
}

Deno.test({
  name: "Dockerfile: the HEALTHCHECK passes against a running fleet instance and fails without one",
  ignore: !SHARED_REDIS,
  async fn() {
    const cluster = await FleetCluster.start({ instances: 1 });
    try {
      assert.equal(await runHealthcheck(cluster.at(0).port), 0);
    } finally {
      await cluster.close();
    }
    assert.notEqual(await runHealthcheck(freePort()), 0);
  },
});
