/**
 * `deno task bench <name> [args...]`: runs `bench/<name>.ts`'s exported `bench<Name>(args)`.
 * Benchmarks are commands that print figures, not tests.
 * @module
 */

/** The benchmarks there are. */
export const BENCHMARKS = ["http", "model", "ws", "web"] as const;

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
  const mod = await import(new URL(`./${name}.ts`, import.meta.url).href);
  const fn = mod[`bench${name[0].toUpperCase()}${name.slice(1)}`];
  if (typeof fn !== "function") {
    throw new Error(
      `bench/${name}.ts does not export bench${name[0].toUpperCase()}${name.slice(1)}`,
    );
  }
  await fn(rest);
}

if (import.meta.main) await runBench(Deno.args);
