/**
 * Security headers on every response, by Hono's `secureHeaders`: no MIME sniffing, no framing, a
 * strict referrer policy and a Content-Security-Policy that lets pages run only the site's own
 * scripts. Hono's extra defaults (CORP, Origin-Agent-Cluster, X-XSS-Protection...) are off so
 * the answers carry the same fields as before; HSTS is sent only when configured (behind TLS).
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../http/app_env.ts";

type ContentSecurityPolicy = NonNullable<
  NonNullable<Parameters<typeof secureHeaders>[0]>["contentSecurityPolicy"]
>;

/**
 * The default policy: scripts only from this origin (no inline scripts, no eval), styles from
 * this origin plus inline style attributes (component `style` props), WebSockets and fetches to
 * this origin, no plugins, no framing.
 */
export const DEFAULT_CSP: Readonly<ContentSecurityPolicy> = Object.freeze({
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
});

/** Options of {@link securityHeaders}. */
export interface SecurityHeadersOptions {
  /** Content-Security-Policy directives. @default {@link DEFAULT_CSP} */
  contentSecurityPolicy?: ContentSecurityPolicy;
  /** Referrer-Policy value. @default "strict-origin-when-cross-origin" */
  referrerPolicy?: string;
  /** Strict-Transport-Security value, sent only when set (behind TLS). @default undefined */
  strictTransportSecurity?: string;
}

/** Creates the security-headers middleware. */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: options.contentSecurityPolicy ?? DEFAULT_CSP,
    referrerPolicy: options.referrerPolicy ?? "strict-origin-when-cross-origin",
    strictTransportSecurity: options.strictTransportSecurity ?? false,
    xFrameOptions: "DENY",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    // Nothing here sets X-Powered-By; deleting it on every answer would be pure cost.
    removePoweredBy: false,
  });
}
