/**
 * Runs Prometheus' `promtool` in tests: found through `PROMTOOL` or the `PATH`; tests that need
 * it are ignored (with a message) where it is not installed.
 * @module
 */

/** `promtool` from `PROMTOOL` or the `PATH`, undefined when it is not installed. */
export function findPromtool(): string | undefined {
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

/** The promtool of this machine; warns once when there is none. */
export const PROMTOOL: string | undefined = findPromtool();
if (PROMTOOL === undefined) {
  console.warn("Skipping the promtool tests: promtool is not installed (or set PROMTOOL)");
}

/** Runs promtool in `cwd`; resolves with its exit code and output. */
export async function promtool(
  args: string[],
  cwd: URL | string,
): Promise<{ code: number; text: string }> {
  if (PROMTOOL === undefined) throw new Error("Cannot run promtool: it is not installed");
  const out = await new Deno.Command(PROMTOOL, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}
