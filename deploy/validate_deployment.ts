/**
 * `deno task validate-deployment <api-url> [<web-url>] [--poll] [--max-attempts N]
 * [--interval S] [--json]`: checks a running SabiScore deployment end to end (health,
 * readiness, API, a prediction, value bets, the live WebSocket, pages, static bundles, security
 * headers) and prints a table. Exit code 0 when every check passes, 1 when one fails, 2 on a
 * usage error.
 * @module
 */
import { parseValidateArgs, USAGE, UsageError } from "./validate/options.ts";
import { formatJson, formatTable } from "./validate/report.ts";
import { validateDeployment } from "./validate/validate.ts";

/** Runs the command; resolves with its exit code. */
export async function validateDeploymentCommand(args: readonly string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  let options;
  try {
    options = parseValidateArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  const report = await validateDeployment({
    ...options,
    // Progress goes to stderr so that --json output stays one document.
    onProgress: (line) => console.error(line),
  });
  console.log(options.json ? formatJson(report) : formatTable(report));
  return report.ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await validateDeploymentCommand(Deno.args));
