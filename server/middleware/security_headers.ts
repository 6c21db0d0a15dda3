/**
 * Security headers on every response: no MIME sniffing, no framing, a strict referrer policy and
 * a Content-Security-Policy that lets pages run only the site's own scripts.
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app_env.ts";
import { setHeader } from "./set_header.ts";

/**
 * The default policy: scripts only from this origin (no inline scripts, no eval), styles from
 * this origin plus inline style attributes (component `style` props), WebSockets and fetches to
 * this origin, no plugins, no framing.
 */
export const DEFAULT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Options of {@link securityHeaders}. */
export interface SecurityHeadersOptions {
  /** Content-Security-Policy value. @default {@link DEFAULT_CSP} */
  contentSecurityPolicy?: string;
  /** Referrer-Policy value. @default "strict-origin-when-cross-origin" */
  referrerPolicy?: string;
  /** Strict-Transport-Security value, sent only when set (behind TLS). @default undefined */
  strictTransportSecurity?: string;
}

/** Creates the security-headers middleware. */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler<AppEnv> {
  const headers: [string, string][] = [
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
    ["Referrer-Policy", options.referrerPolicy ?? "strict-origin-when-cross-origin"],
    ["Content-Security-Policy", options.contentSecurityPolicy ?? DEFAULT_CSP],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Permissions-Policy", "camera=(), microphone=(), geolocation=()"],
  ];
  if (options.strictTransportSecurity) {
    headers.push(["Strict-Transport-Security", options.strictTransportSecurity]);
  }
  return async function securityHeaders(c: Context<AppEnv>, next: Next) {
    await next();
    for (const [name, value] of headers) setHeader(c, name, value);
  };
}
