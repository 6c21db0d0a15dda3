/**
 * Checks and redaction of a Redis URL (`redis://[user:password@]host[:port][/db]`), shared by
 * the configuration, which reports a bad `REDIS_URL`, and the client, which connects to it.
 * @module
 */

/** What is wrong with `url` as a Redis URL, quoting it without its password; null if nothing. */
export function redisUrlProblem(url: string): string | null {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch { /* reported below */ }
  if (parsed?.protocol !== "redis:" && parsed?.protocol !== "rediss:") {
    return `Expected a redis: or rediss: URL like "redis://:password@host:6379", got "${
      redactPassword(url, url)
    }"`;
  }
  if (parsed.hostname === "") return `Expected a host in "${redactPassword(url, url)}"`;
  return null;
}

/**
 * `text` with the password of `url` replaced by `***`, as written in the URL and decoded, so
 * neither a URL nor an error message about it repeats it. The password is read without
 * parsing, so a URL too broken to parse is redacted as well.
 */
export function redactPassword(text: string, url: string): string {
  const written = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]*)@/i.exec(url)?.[1];
  if (!written) return text;
  let decoded = written;
  try {
    decoded = decodeURIComponent(written);
  } catch { /* a malformed escape: only the written form can appear */ }
  return text.replaceAll(written, "***").replaceAll(decoded, "***");
}
