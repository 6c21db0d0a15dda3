/**
 * `deno task bench <name> [args...]`: runs `bench/<name>.ts`'s exported `bench<Name>(args)`
 * (a dashed name maps to a snake_case file and a camelCase function: `ws-attack` ->
 * `bench/ws_attack.ts`, `benchWsAttack`).
 * Benchmarks are commands that print figures, not tests.
 * @module
 */

/** The benchmarks there are. */
export const BENCHMARKS = [
  "http",
  "model",
  "ws",
  "ws-attack",
  "web",
  "fleet",
  "demo-market",
] as const;

function usage(): string {
  return `Usage: deno task bench <${BENCHMARKS.join("|")}> [args...]`;
}

/** Runs the benchmark named by `args[0]`. */
export async function runBench(args: string[]): Promise<void> {
  const [name, ...rest] = args;
  if (!name || !(BENCHMARKS as readonly string[]).includes(name)) {
    console.error(name ? `Unknown benchmark "${name}"\n${usage()}` : usage());
    Deno.exit(2);
  }
  const file = `${name.replaceAll("-", "_")}.ts`;
  const exported = `bench${name.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join("")}`;
  const mod = await import(new URL(`./${file}`, import.meta.url).href);
  const fn = mod[exported];
  if (typeof fn !== "function") throw new Error(`bench/${file} does not export ${exported}`);
  await fn(rest);
}

if (import.meta.main) await runBench(Deno.args);
