/**
 * Runs every deployment check against one deployment, once or (with `poll`) until all pass or
 * the attempts run out.
 * @module
 */
import { API_CHECKS } from "./api_checks.ts";
import { DEFAULT_INTERVAL_SECONDS, DEFAULT_MAX_ATTEMPTS } from "./options.ts";
import { CheckFailure } from "./probe.ts";
import { type Check, DeploymentTarget } from "./target.ts";
import { WEB_CHECKS } from "./web_checks.ts";
import { WEBSOCKET_CHECKS } from "./websocket_check.ts";

/** Every check, in the order they run. */
export const CHECKS: readonly Check[] = [...API_CHECKS, ...WEBSOCKET_CHECKS, ...WEB_CHECKS];

/** The outcome of one check. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** Wall time of the check, in milliseconds. */
  ms: number;
  /** What was found, or why the check failed. */
  detail: string;
}

/** The outcome of a validation: the last attempt's results. */
export interface ValidationReport {
  ok: boolean;
  apiUrl: string;
  webUrl: string;
  /** The attempt these results are from (1-based). */
  attempt: number;
  maxAttempts: number;
  results: CheckResult[];
  /** Wall time of all attempts, in milliseconds. */
  totalMs: number;
}

/** Options of {@link validateDeployment} (those of the command line, and a few for callers). */
export interface ValidateDeploymentOptions {
  /** Base URL of the API, e.g. `https://api.example.com`. */
  apiUrl: string;
  /** Base URL of the web pages. @default the API URL */
  webUrl?: string;
  /** Retry until every check passes or `maxAttempts` is reached. @default false */
  poll?: boolean;
  /** Attempts with `poll` (1 without it). @default 10 */
  maxAttempts?: number;
  /** Seconds between attempts with `poll`. @default 5 */
  intervalSeconds?: number;
  /** Called with one line after each failed attempt that is retried. @default nothing */
  onProgress?: (line: string) => void;
  /** Longest wait for one answer, in milliseconds. @default 5000 */
  timeoutMs?: number;
  /** The checks to run. @default {@link CHECKS} */
  checks?: readonly Check[];
}

async function runCheck(check: Check, target: DeploymentTarget): Promise<CheckResult> {
  const started = performance.now();
  try {
    const detail = await check.run(target);
    return { name: check.name, ok: true, ms: performance.now() - started, detail };
  } catch (error) {
    // A check's own failures carry a report line; anything else is a bug worth its message.
    const detail = error instanceof CheckFailure
      ? error.message
      : `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    return { name: check.name, ok: false, ms: performance.now() - started, detail };
  }
}

/** One pass over the checks, in order (later checks use what earlier ones learnt). */
export async function runAttempt(
  options: Pick<ValidateDeploymentOptions, "apiUrl" | "webUrl" | "timeoutMs" | "checks">,
): Promise<CheckResult[]> {
  const target = new DeploymentTarget({ ...options, webUrl: options.webUrl ?? options.apiUrl });
  const results: CheckResult[] = [];
  for (const check of options.checks ?? CHECKS) results.push(await runCheck(check, target));
  return results;
}

/** Validates a deployment; resolves with the last attempt's report (never throws for a check). */
export async function validateDeployment(
  options: ValidateDeploymentOptions,
): Promise<ValidationReport> {
  const started = performance.now();
  const maxAttempts = options.poll ? options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS : 1;
  const intervalSeconds = options.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
  for (let attempt = 1;; attempt++) {
    const results = await runAttempt(options);
    const failed = results.filter((r) => !r.ok);
    if (failed.length === 0 || attempt >= maxAttempts) {
      return {
        ok: failed.length === 0,
        apiUrl: options.apiUrl,
        webUrl: options.webUrl ?? options.apiUrl,
        attempt,
        maxAttempts,
        results,
        totalMs: performance.now() - started,
      };
    }
    options.onProgress?.(
      `attempt ${attempt}/${maxAttempts}: ${failed.length} of ${results.length} checks failed ` +
        `(${failed[0].name}: ${failed[0].detail}); retrying in ${intervalSeconds} s`,
    );
    await new Promise((resolve) => setTimeout(resolve, intervalSeconds * 1000));
  }
}
