/**
 * The default name of an instance in the fleet. Kept apart from the Redis client so the
 * configuration can name an instance without loading ioredis.
 * @module
 */

/** `hostname:pid`, unique per process on a host. */
export function defaultInstanceId(): string {
  let host = "localhost";
  try {
    host = Deno.hostname();
  } catch {
    // Without --allow-sys the pid alone still tells processes of one host apart.
  }
  return `${host}:${Deno.pid}`;
}
