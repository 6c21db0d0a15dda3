/**
 * The browser's one way to call our API: JSON in and out, transient failures (network errors,
 * timeouts, 502/503/504) retried up to 3 times with exponential backoff, and every failure
 * classified into an {@link ApiError} the UI can explain: rate limited (with when to retry),
 * network (offline tips), server (generic) or request (the server's own message).
 * @module
 */

/** How a failed call should be explained to the user. */
export type ApiErrorKind = "rate_limited" | "network" | "server" | "request";

/** Options of {@link ApiError}. */
export interface ApiErrorOptions {
  status?: number;
  code?: string;
  /** Epoch ms after which a rate-limited call may be retried. */
  retryAt?: number;
  requestId?: string;
  cause?: unknown;
}

/** A classified API failure. */
export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly retryAt?: number;
  readonly requestId?: string;

  constructor(kind: ApiErrorKind, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApiError";
    this.kind = kind;
    this.status = options.status;
    this.code = options.code;
    this.retryAt = options.retryAt;
    this.requestId = options.requestId;
  }
}

/** Options of {@link fetchJson}. */
export interface FetchJsonOptions {
  /** @default "GET" */
  method?: string;
  /** Sent as JSON when present. */
  body?: unknown;
  signal?: AbortSignal;
  /** Retries of transient failures after the first attempt. @default 3 */
  retries?: number;
  /** Delay before the first retry; doubled each time. @default 400 */
  baseDelayMs?: number;
  /** Per-attempt timeout; 0 disables it. @default 10000 */
  timeoutMs?: number;
  /** The fetch to use (tests inject one). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Waits `ms` (tests inject a fake clock). @default a setTimeout-based sleep */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Current time in epoch ms. @default Date.now */
  now?: () => number;
}

const TRANSIENT_STATUSES = new Set([502, 503, 504]);

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** Parses `Retry-After` (seconds or an HTTP date) into epoch ms, or undefined. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return now + seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(date, now);
}

async function errorFromResponse(res: Response, now: number): Promise<ApiError> {
  let code: string | undefined;
  let message: string | undefined;
  let requestId = res.headers.get("x-request-id") ?? undefined;
  try {
    const body = await res.json() as {
      error?: { code?: string; message?: string; request_id?: string };
    };
    code = body.error?.code;
    message = body.error?.message;
    requestId = body.error?.request_id ?? requestId;
  } catch {
    // Not JSON (a proxy's error page): keep the status only.
  }
  const base = { status: res.status, code, requestId };
  if (res.status === 429) {
    const retryAt = parseRetryAfter(res.headers.get("retry-after"), now);
    return new ApiError("rate_limited", message ?? "Too many requests", { ...base, retryAt });
  }
  if (res.status >= 500) {
    return new ApiError("server", message ?? `Server error ${res.status}`, base);
  }
  return new ApiError("request", message ?? `Request failed with status ${res.status}`, base);
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true ||
    (error instanceof DOMException && error.name === "AbortError");
}

/**
 * Calls the API and returns the parsed JSON body. Retries network failures, timeouts and
 * 502/503/504 up to `retries` times, waiting `baseDelayMs * 2^n` between attempts; never retries
 * 4xx (a 429 carries `retryAt` instead). Throws an {@link ApiError}; rethrows the caller's abort.
 */
export async function fetchJson<T>(url: string, options: FetchJsonOptions = {}): Promise<T> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const retries = options.retries ?? 3;
  const baseDelay = options.baseDelayMs ?? 400;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  for (let attempt = 0;; attempt++) {
    let error: ApiError;
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      const res = await doFetch(url, {
        method: options.method ?? "GET",
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      if (res.ok) return await res.json() as T;
      error = await errorFromResponse(res, now());
      if (!TRANSIENT_STATUSES.has(res.status)) throw error;
    } catch (e) {
      if (e instanceof ApiError && !TRANSIENT_STATUSES.has(e.status ?? 0)) throw e;
      if (isAbort(e, options.signal)) throw options.signal?.reason ?? e;
      error = e instanceof ApiError ? e : new ApiError(
        "network",
        timeout?.aborted ? "The server took too long to answer" : "Cannot reach the server",
        { cause: e },
      );
    }
    if (attempt >= retries) throw error;
    await sleep(baseDelay * 2 ** attempt, options.signal);
  }
}

/** What the UI shows for an error. */
export interface FriendlyError {
  title: string;
  detail: string;
  tips: string[];
}

/** Turns any error into words for people (English, short, no internals). */
export function describeError(error: unknown, now: number = Date.now()): FriendlyError {
  if (error instanceof ApiError) {
    switch (error.kind) {
      case "rate_limited": {
        const wait = error.retryAt === undefined
          ? undefined
          : Math.max(1, Math.ceil((error.retryAt - now) / 1000));
        return {
          title: "Slow down a little",
          detail: wait === undefined
            ? "You have made many requests in a short time. Please try again shortly."
            : `You have made many requests in a short time. Try again in ${wait} s.`,
          tips: [],
        };
      }
      case "network":
        return {
          title: "You seem to be offline",
          detail: "We could not reach SabiScore. Your data is safe; nothing was lost.",
          tips: [
            "Check your Wi-Fi or mobile data",
            "If you use a VPN or proxy, try without it",
            "Press Try again when you are back online",
          ],
        };
      case "server":
        return {
          title: "Something went wrong on our side",
          detail: "The server could not complete the request. Please try again in a moment." +
            (error.requestId ? ` (reference ${error.requestId})` : ""),
          tips: [],
        };
      case "request":
        return { title: "Please check your input", detail: error.message, tips: [] };
    }
  }
  return {
    title: "Something went wrong",
    detail: "An unexpected error happened in the page. Please try again.",
    tips: [],
  };
}
