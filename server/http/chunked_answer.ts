/**
 * Response fields that let Deno send a JSON answer of a few kilobytes in one write.
 *
 * Deno's HTTP/1.1 server builds each response head in a per-connection buffer of 512 bytes
 * (grown to fit the head). A fixed-length body goes into that buffer only when it fits in the
 * room left; otherwise the head and the body leave in two `send` calls. A chunked body is
 * always assembled behind the head and sent with it in one call. On loopback the second call
 * costs the server ~10 µs of CPU per answer: a third of what a cached prediction costs beyond
 * `/health/live` (`sendto` calls counted with `strace -c`, CPU with `deno task bench http`).
 *
 * So the prediction answers (2-3 KB) are sent chunked. Deno turns the field into
 * `Content-Length` for HTTP/1.0 clients and drops it on HTTP/2, so every client still gets a
 * well-formed answer; HTTP/1.1 clients lose only the length in advance.
 * @module
 */

/** The field to add to a response of a few kilobytes: `transfer-encoding: chunked`. */
export const SEND_CHUNKED: readonly [string, string] = ["transfer-encoding", "chunked"];
