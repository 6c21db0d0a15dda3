/**
 * One HTTP request of a deployment check, with a deadline and a readable reason when the host
 * cannot be reached (connection refused, unknown host, TLS, no answer in time).
 * @module
 */

/** A check's failure: the message is what the report shows. */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckFailure";
  }
}

/** A host that did not answer: later checks against the same origin fail at once. */
export class UnreachableError extends CheckFailure {
  constructor(readonly origin: string, reason: string) {
    super(`Cannot reach ${origin}: ${reason}`);
    this.name = "UnreachableError";
  }
}

/** A response with its body read. */
export interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/** Options of {@link probe}. */
export interface ProbeOptions {
  /** Request method. @default "GET" */
  method?: string;
  /** JSON request body (sent with `content-type: application/json`). */
  json?: unknown;
  /** Longest wait for the whole answer, in milliseconds. @default 5000 */
  timeoutMs?: number;
}

function connectReason(error: unknown): string {
  const text = String(error instanceof Error ? `${error.message} ${error.cause ?? ""}` : error);
  if (/refused/i.test(text)) return "connection refused";
  if (/dns|lookup|not known|resolve/i.test(text)) return "host not found";
  if (/certificate|tls|ssl/i.test(text)) return "TLS handshake failed";
  if (/reset|closed|broken pipe/i.test(text)) return "connection closed";
  return text.split("\n")[0].trim();
}

/** Requests `url` and reads the body; throws {@link UnreachableError} when no answer comes. */
export async function probe(url: string, options: ProbeOptions = {}): Promise<Answer> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const init: RequestInit = {
    method: options.method ?? "GET",
    signal: AbortSignal.timeout(timeoutMs),
    redirect: "manual",
  };
  if (options.json !== undefined) {
    init.body = JSON.stringify(options.json);
    init.headers = { "content-type": "application/json" };
  }
  const origin = new URL(url).origin;
  try {
    const response = await fetch(url, init);
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new UnreachableError(origin, `no answer within ${timeoutMs / 1000} s`);
    }
    throw new UnreachableError(origin, connectReason(error));
  }
}

/** Parses a JSON body, failing the check when it is not JSON. */
export function jsonBody<T = Record<string, unknown>>(answer: Answer, what: string): T {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new CheckFailure(`Expected JSON from ${what}, got "${answer.body.slice(0, 60)}"`);
  }
}

/** Fails the check unless the status is `expected`. */
export function expectStatus(answer: Answer, expected: number, what: string): void {
  if (answer.status === expected) return;
  const text = answer.body.replace(/\s+/g, " ").slice(0, 120);
  throw new CheckFailure(`Expected ${expected} from ${what}, got ${answer.status}: ${text}`);
}
