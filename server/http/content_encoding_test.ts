import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import {
  encodeBody,
  isCompressibleType,
  MIN_COMPRESS_BYTES,
  negotiateEncoding,
  precompress,
  varyOnEncoding,
} from "./content_encoding.ts";

Deno.test("negotiateEncoding: the accepted coding with the highest weight, brotli on a tie", () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ["", undefined],
    ["identity", undefined],
    ["gzip, deflate, br, zstd", "br"],
    ["gzip", "gzip"],
    ["x-gzip", "gzip"],
    ["br;q=0, gzip", "gzip"],
    ["br;q=0.5, gzip;q=0.8", "gzip"],
    ["BR", "br"],
    ["*", "br"],
    ["*;q=0", undefined],
    ["gzip;q=0, br;q=0", undefined],
    ["deflate", undefined],
    ["br;q=abc, gzip", "gzip"],
  ];
  for (const [header, expected] of cases) {
    assert.equal(negotiateEncoding(header), expected, String(header));
  }
});

Deno.test("isCompressibleType: text, JSON, JavaScript, SVG yes; images, fonts, streams no", () => {
  for (
    const type of [
      "text/html; charset=utf-8",
      "application/json",
      "text/css",
      "text/javascript; charset=utf-8",
      "application/problem+json",
      "image/svg+xml",
      "text/plain; version=0.0.4",
    ]
  ) {
    assert.ok(isCompressibleType(type), type);
  }
  for (
    const type of [
      null,
      "image/png",
      "font/woff2",
      "application/octet-stream",
      "text/event-stream",
      "application/gzip",
    ]
  ) {
    assert.ok(!isCompressibleType(type), String(type));
  }
});

Deno.test("encodeBody and precompress: round-trip; small or incompressible files get no form", () => {
  const text = new TextEncoder().encode("<tr><td>Arsenal</td><td>2.10</td></tr>".repeat(200));
  for (const effort of ["fast", "max"] as const) {
    assert.deepEqual(
      new Uint8Array(brotliDecompressSync(encodeBody(text, "br", { effort }))),
      text,
    );
    assert.deepEqual(new Uint8Array(gunzipSync(encodeBody(text, "gzip", { effort }))), text);
  }
  const forms = precompress(text);
  assert.ok(forms.br && forms.br.byteLength < text.byteLength / 10);
  assert.ok(forms.gzip && forms.gzip.byteLength < text.byteLength / 10);
  assert.deepEqual(precompress(text.slice(0, MIN_COMPRESS_BYTES - 1)), {});
  const noise = crypto.getRandomValues(new Uint8Array(4096));
  assert.deepEqual(precompress(noise), {});
});

Deno.test("varyOnEncoding: adds Accept-Encoding once", () => {
  assert.equal(varyOnEncoding(null), "Accept-Encoding");
  assert.equal(varyOnEncoding("Origin"), "Origin, Accept-Encoding");
  assert.equal(varyOnEncoding("Origin, accept-encoding"), "Origin, accept-encoding");
  assert.equal(varyOnEncoding("*"), "*");
});
