/**
 * `deno task bench ws-attack`: oversized WebSocket frames against the real server. Starts
 * `server/main.ts` with the start task's flags, then opens ten `/ws` connections that each send
 * one 50 MB text frame while predictions are requested back to back, sampling the server's RSS
 * all along. Prints RSS before / peak / after, the close code each attacker got (or `open` when
 * the server never closed it), and the statuses of the predictions made during the attack.
 *
 * The server runs without rate limiting (it would refuse most of the back-to-back predictions
 * before memory pressure shows) and with `LOG_LEVEL=warn`.
 *
 * `--server=guarded` starts `bench/ws_guarded_server.ts` instead: the app's service routes on
 * node:http with `/ws` behind the guarded upgrade (the size limit enforced from frame headers).
 *
 * Options: `--server=main|guarded --attackers=10 --frame-mb=50 --settle-ms=3000 --server-env=NAME=value` (repeatable).
 * @module
 */
import { closeCode, frameHeader, rawConnect } from "../server/live/raw_ws_client.ts";

const ROOT = new URL("../", import.meta.url);
const MB = 2 ** 20;

interface AttackOptions {
  /** `main`: `server/main.ts`; `guarded`: `bench/ws_guarded_server.ts`. */
  server: "main" | "guarded";
  attackers: number;
  frameBytes: number;
  settleMs: number;
  env: Record<string, string>;
}

function parseArgs(args: string[]): AttackOptions {
  const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const env: Record<string, string> = {};
  for (const a of args.filter((x) => x.startsWith("--server-env="))) {
    const [name, ...rest] = a.slice(13).split("=");
    env[name] = rest.join("=");
  }
  const server = value("server") ?? "main";
  if (server !== "main" && server !== "guarded") {
    throw new Error(`Expected --server=main or --server=guarded, got "${server}"`);
  }
  return {
    server,
    attackers: Number(value("attackers") ?? 10),
    frameBytes: Number(value("frame-mb") ?? 50) * MB,
    settleMs: Number(value("settle-ms") ?? 3000),
    env,
  };
}

/** The start task's arguments after `deno`, with `script` in place of `server/main.ts`. */
async function startArgs(script: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const parts = String(config.tasks?.start ?? "").trim().split(/\s+/);
  if (parts[0] !== "deno") throw new Error(`Cannot read the start task: "${parts.join(" ")}"`);
  return [...parts.slice(1, -1), script];
}

async function readRss(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN) * 1024;
}

/** Samples a process's RSS every 20 ms until stopped; keeps the peak. */
class RssSampler {
  peak = 0;
  #running = true;
  readonly #done: Promise<void>;

  constructor(pid: number) {
    this.#done = (async () => {
      while (this.#running) {
        this.peak = Math.max(this.peak, await readRss(pid));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
  }

  stop(): Promise<void> {
    this.#running = false;
    return this.#done;
  }
}

async function untilLive(base: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`${base}/health/live`);
      await res.body?.cancel();
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("The server did not become live within 60 s");
}

/** A prediction request body for the first two teams of the first available league. */
async function predictionBody(base: string): Promise<string> {
  const { leagues } = await (await fetch(`${base}/api/v1/leagues`)).json() as {
    leagues: { key: string; available: boolean }[];
  };
  const league = leagues.find((l) => l.available);
  if (!league) throw new Error("The server serves no league");
  const { teams } = await (await fetch(`${base}/api/v1/leagues/${league.key}/teams`)).json() as {
    teams: { name: string }[];
  };
  return JSON.stringify({
    league: league.key,
    home_team: teams[0].name,
    away_team: teams[1].name,
    odds: { home: 2.6, draw: 3.4, away: 2.7 },
  });
}

/** Opens a connection and sends one frame of `bytes`; resolves to the close code it got. */
async function attack(port: number, bytes: number): Promise<string> {
  const ws = await rawConnect(port);
  if (ws.status !== 101) {
    ws.close();
    return `refused ${ws.status}`;
  }
  const closed = ws.readAll(bytes).then((frames) => {
    const close = frames.find((f) => f.opcode === 0x8);
    return close ? String(closeCode(close)) : "open";
  });
  // A zero mask leaves the payload as sent: valid UTF-8 text the server must take or refuse.
  const chunk = new Uint8Array(MB).fill(0x78);
  try {
    await ws.write(frameHeader(0x1, bytes, new Uint8Array(4)));
    for (let sent = 0; sent < bytes; sent += chunk.length) {
      await ws.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
    }
  } catch {
    // The server closed the connection while the frame was still being sent.
  }
  const code = await Promise.race([
    closed,
    new Promise<string>((r) => setTimeout(() => r("open"), 10_000)),
  ]);
  ws.close();
  return code;
}

function counts(values: string[]): string {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].map(([v, n]) => `${v} x${n}`).join(", ") || "none";
}

/** Runs the attack benchmark. */
export async function benchWsAttack(args: string[]): Promise<void> {
  const o = parseArgs(args);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const base = `http://127.0.0.1:${port}`;
  const tmp = await Deno.makeTempDir({ prefix: "sabiscore_ws_attack_" });
  const server = new Deno.Command(Deno.execPath(), {
    args: await startArgs(o.server === "main" ? "server/main.ts" : "bench/ws_guarded_server.ts"),
    cwd: ROOT.pathname,
    env: {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      KV_PATH: `${tmp}/attack.kv`,
      // The rate limit would answer most predictions 429 before memory pressure shows.
      ENABLE_RATE_LIMITING: "false",
      LOG_LEVEL: "warn",
      ...o.env,
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    await untilLive(base);
    const body = await predictionBody(base);
    const predict = async () => {
      const res = await fetch(`${base}/api/v1/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await res.body?.cancel();
      return String(res.status);
    };
    for (let i = 0; i < 20; i++) await predict();
    await new Promise((r) => setTimeout(r, 1000));
    const before = await readRss(server.pid);
    const sampler = new RssSampler(server.pid);
    let attacking = true;
    const statuses: string[] = [];
    const predictions = (async () => {
      while (attacking) statuses.push(await predict());
    })();
    const started = performance.now();
    const codes = await Promise.all(
      Array.from({ length: o.attackers }, () => attack(port, o.frameBytes)),
    );
    const attackMs = performance.now() - started;
    // At least a second of predictions, however fast the attackers are refused.
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - attackMs)));
    attacking = false;
    await predictions;
    await new Promise((r) => setTimeout(r, o.settleMs));
    await sampler.stop();
    const after = await readRss(server.pid);
    const fmt = (b: number) => `${(b / MB).toFixed(0)} MB`;
    console.log(
      `ws-attack (${o.server}): ${o.attackers} connections x one ${
        o.frameBytes / MB
      } MB text frame ` +
        `(${(attackMs / 1000).toFixed(1)} s)`,
    );
    console.log(
      `server RSS: before ${fmt(before)}, peak ${fmt(sampler.peak)} (+${
        fmt(sampler.peak - before)
      }), after ${fmt(after)} (${o.settleMs} ms later)`,
    );
    console.log(`attackers' close codes: ${counts(codes)}`);
    console.log(
      `predictions during the attack (at least 1 s): ${statuses.length} (${counts(statuses)})`,
    );
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await Deno.remove(tmp, { recursive: true });
  }
}
