/**
 * HTTP content codings shared by the compression middleware and the asset server: which coding
 * a client accepts, which answers are worth compressing, and the encoders (node:zlib's brotli and
 * gzip, which run under Deno).
 * @module
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** The codings the server produces, best first. */
export type ContentCoding = "br" | "gzip";

/** Bodies smaller than this stay uncompressed: the coding's framing would eat the saving. */
export const MIN_COMPRESS_BYTES = 1024;

/**
 * The coding to answer with for an `Accept-Encoding` value (RFC 9110 §12.5.3): the accepted one
 * with the highest weight, brotli on a tie; `undefined` for none (absent, `identity`, `q=0`).
 */
export function negotiateEncoding(acceptEncoding: string | undefined): ContentCoding | undefined {
  if (!acceptEncoding) return undefined;
  let br = -1;
  let gzip = -1;
  let any = -1;
  for (const part of acceptEncoding.split(",")) {
    const [token, ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q >= 0)) continue;
    if (token === "br") br = q;
    else if (token === "gzip" || token === "x-gzip") gzip = q;
    else if (token === "*") any = q;
  }
  if (br < 0) br = any;
  if (gzip < 0) gzip = any;
  if (br <= 0 && gzip <= 0) return undefined;
  return br >= gzip ? "br" : "gzip";
}

const COMPRESSIBLE =
  /^(text\/(?!event-stream)|application\/([\w.+-]*\+)?(json|javascript|xml)|image\/svg\+xml|application\/manifest\+json)/i;

/**
 * Whether answers of this content type shrink when compressed: text, JSON, JavaScript, XML and
 * SVG. Images, fonts and archives are compressed already; event streams must flush as written.
 */
export function isCompressibleType(contentType: string | null | undefined): boolean {
  return contentType ? COMPRESSIBLE.test(contentType) : false;
}

/** Options of {@link encodeBody}. */
export interface EncodeOptions {
  /**
   * `fast` for answers made per request (brotli quality 4, gzip level 6), `max` for files
   * compressed once (brotli quality 11, gzip level 9). @default "fast"
   */
  effort?: "fast" | "max";
}

/** `data` in `coding`. */
export function encodeBody(
  data: Uint8Array,
  coding: ContentCoding,
  options: EncodeOptions = {},
): Uint8Array {
  const max = options.effort === "max";
  const encoded = coding === "gzip"
    ? gzipSync(data, { level: max ? 9 : 6 })
    : brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: max ? 11 : 4,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength,
      },
    });
  // A plain view, not node's Buffer subclass: callers compare and serve it as bytes.
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

/** A file's precompressed codings; a coding is absent where it would not be smaller. */
export type EncodedVariants = Partial<Record<ContentCoding, Uint8Array>>;

/**
 * Compresses a file once into every coding that makes it smaller; files under
 * {@link MIN_COMPRESS_BYTES} get none.
 */
export function precompress(
  data: Uint8Array,
  options: EncodeOptions = { effort: "max" },
): EncodedVariants {
  const variants: EncodedVariants = {};
  if (data.byteLength < MIN_COMPRESS_BYTES) return variants;
  for (const coding of ["br", "gzip"] as const) {
    const encoded = encodeBody(data, coding, options);
    if (encoded.byteLength < data.byteLength) variants[coding] = encoded;
  }
  return variants;
}

/** Adds `Accept-Encoding` to a `Vary` value (`null`: none yet). */
export function varyOnEncoding(vary: string | null): string {
  if (!vary) return "Accept-Encoding";
  return /(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary) ? vary : `${vary}, Accept-Encoding`;
}
