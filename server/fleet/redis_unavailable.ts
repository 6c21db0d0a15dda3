/**
 * The error of a Redis command that never got an answer (Redis away, the connection cut). It
 * says nothing about HTTP: background users (scrape loops, publishers) see what failed, and the
 * one error handler answers it with the 503 `redis_unavailable`.
 * @module
 */

/** A Redis command did not reach Redis; `cause` is the client's own error. */
export class RedisUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Cannot reach Redis: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "RedisUnavailableError";
  }
}
