/**
 * Checks of the web side: the home page, one static bundle it references (served with a long
 * cache lifetime, as hashed bundle names allow) and the security headers of pages and API.
 * @module
 */
import { CheckFailure, expectStatus } from "./probe.ts";
import type { Check } from "./target.ts";

/** Shortest `max-age` a hashed static bundle should be cached for: one day. */
const MIN_BUNDLE_MAX_AGE_SECONDS = 86_400;

const homePage: Check = {
  name: "GET / (home page)",
  async run(target) {
    const answer = await target.request("web", "/");
    expectStatus(answer, 200, "GET /");
    const type = answer.headers.get("content-type") ?? "";
    if (!type.includes("text/html")) {
      throw new CheckFailure(`Expected an HTML page, got content-type "${type}"`);
    }
    target.setHomePage(answer.body);
    const title = /<title>([^<]*)<\/title>/i.exec(answer.body)?.[1]?.trim();
    return `${Math.round(answer.body.length / 1024)} KB${title ? `, "${title}"` : ""}`;
  },
};

/** The first script or module-preload the page references on its own origin. */
export function bundlePath(html: string): string | undefined {
  const pattern =
    /<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="(\/[^"/][^"]*\.js)"/gi;
  return pattern.exec(html)?.[1];
}

function maxAge(cacheControl: string): number | undefined {
  const match = /(?:^|,)\s*max-age=(\d+)/i.exec(cacheControl);
  return match ? Number(match[1]) : undefined;
}

const staticBundle: Check = {
  name: "GET static bundle",
  async run(target) {
    const path = bundlePath(target.homePage());
    if (path === undefined) throw new CheckFailure("The home page references no script bundle");
    const answer = await target.request("web", path);
    expectStatus(answer, 200, `GET ${path}`);
    const type = answer.headers.get("content-type") ?? "";
    if (!type.includes("javascript")) {
      throw new CheckFailure(`Expected JavaScript from ${path}, got content-type "${type}"`);
    }
    const cacheControl = answer.headers.get("cache-control") ?? "";
    const age = maxAge(cacheControl);
    if (age === undefined || age < MIN_BUNDLE_MAX_AGE_SECONDS || /no-store/i.test(cacheControl)) {
      throw new CheckFailure(
        `Expected ${path} cached for at least ${MIN_BUNDLE_MAX_AGE_SECONDS} s, got cache-control "${cacheControl}"`,
      );
    }
    return `${path}: cache-control "${cacheControl}"`;
  },
};

/** Header name -> what its value must match. */
const REQUIRED_HEADERS: Record<string, RegExp> = {
  "x-content-type-options": /^nosniff$/i,
  "x-frame-options": /^(deny|sameorigin)$/i,
  "referrer-policy": /./,
  "content-security-policy": /frame-ancestors|default-src/i,
};

/** The required security headers an answer lacks or gets wrong. */
export function missingSecurityHeaders(headers: Headers, https: boolean): string[] {
  const required = { ...REQUIRED_HEADERS };
  if (https) required["strict-transport-security"] = /max-age=\d+/i;
  return Object.entries(required)
    .filter(([name, pattern]) => !pattern.test(headers.get(name) ?? ""))
    .map(([name]) => name);
}

const securityHeaders: Check = {
  name: "Security headers",
  async run(target) {
    const problems: string[] = [];
    let count = 0;
    for (const [side, path] of [["web", "/"], ["api", "/health/live"]] as const) {
      const answer = await target.request(side, path);
      const https = target.url(side, path).startsWith("https:");
      const missing = missingSecurityHeaders(answer.headers, https);
      count = Object.keys(REQUIRED_HEADERS).length + (https ? 1 : 0);
      if (missing.length > 0) problems.push(`${side} ${path} lacks ${missing.join(", ")}`);
    }
    if (problems.length > 0) throw new CheckFailure(problems.join("; "));
    return `${count} headers on pages and API`;
  },
};

/** The web checks, in the order they run (the bundle comes from the home page). */
export const WEB_CHECKS: readonly Check[] = [homePage, staticBundle, securityHeaders];
