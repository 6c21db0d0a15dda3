/**
 * Reports browser errors to our own server (`POST /api/v1/client-errors`), never to a third
 * party. At most a few reports per page load, so a crash loop cannot flood the endpoint.
 * @module
 */

/** Path of the client-error endpoint. */
export const CLIENT_ERRORS_PATH = "/api/v1/client-errors";

/** What the browser sends for one error. */
export interface ClientErrorReport {
  message: string;
  kind: "error" | "unhandledrejection" | "boundary" | "fetch";
  stack?: string;
  url: string;
  source?: string;
  line?: number;
  column?: number;
}

const MAX_REPORTS = 5;
let sent = 0;

/** Sends one report (best effort; failures are ignored). */
export function reportClientError(report: Omit<ClientErrorReport, "url">): void {
  if (sent >= MAX_REPORTS || typeof fetch !== "function") return;
  sent++;
  const body: ClientErrorReport = {
    ...report,
    message: report.message.slice(0, 1000),
    stack: report.stack?.slice(0, 4000),
    url: location.href.slice(0, 500),
  };
  fetch(CLIENT_ERRORS_PATH, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    keepalive: true,
  }).then((r) => r.body?.cancel()).catch(() => {});
}

let installed = false;

/** Reports uncaught errors and unhandled rejections of this page. */
export function installErrorReporting(): void {
  if (installed || typeof addEventListener !== "function") return;
  installed = true;
  addEventListener("error", (e: ErrorEvent) => {
    reportClientError({
      kind: "error",
      message: String(e.message || e.error || "Unknown error"),
      stack: e.error instanceof Error ? e.error.stack : undefined,
      source: e.filename || undefined,
      line: e.lineno || undefined,
      column: e.colno || undefined,
    });
  });
  addEventListener("unhandledrejection", (e: PromiseRejectionEvent) => {
    const reason = e.reason;
    reportClientError({
      kind: "unhandledrejection",
      message: reason instanceof Error ? reason.message : String(reason),
      stack: reason instanceof Error ? reason.stack : undefined,
    });
  });
}
