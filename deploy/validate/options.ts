/**
 * Command-line arguments of `deno task validate-deployment`, parsed into {@link ValidateOptions}.
 * A bad argument is a {@link UsageError} (the command prints it with the usage and exits 2).
 * @module
 */

/** How `validate-deployment` is called. */
export const USAGE =
  "Usage: deno task validate-deployment <api-url> [<web-url>] [--poll] [--max-attempts N] " +
  "[--interval S] [--json]";

/** A command-line argument the validator cannot use; the message names it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What one validation run checks and how often it tries. */
export interface ValidateOptions {
  /** Base URL of the API, e.g. `https://api.example.com`. */
  apiUrl: string;
  /** Base URL of the web pages. @default the API URL */
  webUrl: string;
  /** Retry until every check passes or `maxAttempts` is reached. @default false */
  poll: boolean;
  /** Attempts with `poll` (1 without it). @default 10 */
  maxAttempts: number;
  /** Seconds between attempts with `poll`. @default 5 */
  intervalSeconds: number;
  /** Print one JSON document instead of the table. @default false */
  json: boolean;
}

/** Attempts with `--poll` when `--max-attempts` is not given. */
export const DEFAULT_MAX_ATTEMPTS = 10;
/** Seconds between attempts when `--interval` is not given. */
export const DEFAULT_INTERVAL_SECONDS = 5;

function baseUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `Expected the ${what} to be a URL like "https://example.com", got "${value}"`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`Expected the ${what} to be an http or https URL, got "${value}"`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new UsageError(`Expected the ${what} without a query or fragment, got "${value}"`);
  }
  return url.href.replace(/\/+$/, "");
}

function flagValue(args: readonly string[], i: number, flag: string): string {
  const value = args[i + 1];
  if (value === undefined || value.startsWith("--")) {
    throw new UsageError(`Expected a value after ${flag}`);
  }
  return value;
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`Expected ${flag} to be a whole number of at least 1, got "${value}"`);
  }
  return n;
}

function positiveSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 3600) {
    throw new UsageError(
      `Expected ${flag} to be a number of seconds from 0 to 3600, got "${value}"`,
    );
  }
  return n;
}

/** Parses the command-line arguments; throws {@link UsageError} naming the bad one. */
export function parseValidateArgs(args: readonly string[]): ValidateOptions {
  const urls: string[] = [];
  let poll = false;
  let json = false;
  let maxAttempts: number | undefined;
  let intervalSeconds: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    switch (flag) {
      case "--poll":
        poll = true;
        break;
      case "--json":
        json = true;
        break;
      case "--max-attempts":
        maxAttempts = positiveInteger(inline ?? flagValue(args, i++, flag), flag);
        break;
      case "--interval":
        intervalSeconds = positiveSeconds(inline ?? flagValue(args, i++, flag), flag);
        break;
      default:
        if (arg.startsWith("-")) throw new UsageError(`Unknown option "${arg}"`);
        urls.push(arg);
    }
  }
  if (urls.length === 0) throw new UsageError("Expected the API URL");
  if (urls.length > 2) {
    throw new UsageError(`Expected at most two URLs (API and web), got ${urls.length}`);
  }
  if (!poll && (maxAttempts !== undefined || intervalSeconds !== undefined)) {
    throw new UsageError("Expected --poll with --max-attempts or --interval");
  }
  const apiUrl = baseUrl(urls[0], "API URL");
  return {
    apiUrl,
    webUrl: urls[1] === undefined ? apiUrl : baseUrl(urls[1], "web URL"),
    poll,
    maxAttempts: poll ? maxAttempts ?? DEFAULT_MAX_ATTEMPTS : 1,
    intervalSeconds: intervalSeconds ?? DEFAULT_INTERVAL_SECONDS,
    json,
  };
}
