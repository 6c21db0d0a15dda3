import assert from "node:assert/strict";
import { bundlePath, missingSecurityHeaders } from "./web_checks.ts";

Deno.test("bundlePath: the first same-origin script or module preload of a page", () => {
  assert.equal(
    bundlePath('<link rel="modulepreload" href="/_fresh/abc/boot-X.js"><script src="/b.js">'),
    "/_fresh/abc/boot-X.js",
  );
  assert.equal(
    bundlePath('<script type="module" src="/_fresh/a/boot.js"></script>'),
    "/_fresh/a/boot.js",
  );
  assert.equal(bundlePath('<script src="//cdn.example.com/x.js"></script>'), undefined);
  assert.equal(bundlePath("<p>no scripts</p>"), undefined);
});

Deno.test("missingSecurityHeaders: names what is absent or wrong, HSTS only over https", () => {
  const headers = new Headers({
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'self'",
  });
  assert.deepEqual(missingSecurityHeaders(headers, false), []);
  assert.deepEqual(missingSecurityHeaders(headers, true), ["strict-transport-security"]);
  headers.set("x-frame-options", "ALLOWALL");
  headers.delete("referrer-policy");
  assert.deepEqual(missingSecurityHeaders(headers, false), ["x-frame-options", "referrer-policy"]);
});
