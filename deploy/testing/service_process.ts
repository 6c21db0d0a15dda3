/**
 * Starts the real service (`server/main.ts`) as a child process on a loopback port with a
 * temporary KV file, for tests of the deployment tools. The process is the one production runs:
 * ONNX models from `models/`, the demo bookmaker, the web layer.
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

/** A port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Options of {@link startService}. */
export interface ServiceOptions {
  /** Port to listen on. @default a free one */
  port?: number;
  /** Extra environment variables. @default none */
  env?: Record<string, string>;
  /** The path that must answer 200 before the service counts as started. @default "/health/ready" */
  readyPath?: string;
  /** Longest wait for `readyPath` to answer 200, in milliseconds. @default 90000 */
  readyTimeoutMs?: number;
}

/** A running service process. */
export interface ServiceProcess {
  url: string;
  port: number;
  /** Stops the process (SIGTERM, graceful shutdown) and removes its KV folder. */
  close(): Promise<void>;
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text = (text + decoder.decode(chunk, { stream: true })).slice(-4000);
  }
  return text;
}

async function waitReady(readyUrl: string, child: Deno.ChildProcess, timeoutMs: number) {
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && !exited) {
    try {
      // Bounded: whatever holds the port may accept and never answer.
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    // Waits on a real child process's boot, which no fake clock can shorten.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (exited) throw new Error(`The service exited with code ${(await status).code}`);
  throw new Error(`The service was not ready within ${timeoutMs} ms`);
}

/**
 * Starts `server/main.ts` and resolves once `/health/ready` answers 200. Without a given port, a
 * start whose free port another process took meanwhile tries again on another.
 */
export async function startService(options: ServiceOptions = {}): Promise<ServiceProcess> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(options.port ?? freePort(), options);
    } catch (error) {
      const taken = /AddrInUse|EADDRINUSE|address already in use/i.test(String(error));
      if (options.port !== undefined || !taken || attempt === 3) throw error;
    }
  }
}

async function startOnce(port: number, options: ServiceOptions): Promise<ServiceProcess> {
  const dir = await Deno.makeTempDir({ prefix: "sabiscore-service-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", "server/main.ts"],
    cwd: ROOT,
    env: {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      KV_PATH: `${dir}/service.kv`,
      LOG_LEVEL: "warn",
      MEMORY_TRIM_INTERVAL_SECONDS: "0",
      ...options.env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = drain(child.stderr);
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
    await stderr;
    await Deno.remove(dir, { recursive: true });
  };
  try {
    const readyUrl = `${url}${options.readyPath ?? "/health/ready"}`;
    await waitReady(readyUrl, child, options.readyTimeoutMs ?? 90_000);
  } catch (error) {
    await close();
    throw new Error(`${(error as Error).message}; its stderr ends:\n${await stderr}`);
  }
  return { url, port, close };
}
