/**
 * A Lua script run by its SHA1 (EVALSHA), loaded on first use and again after Redis forgets it
 * (a restart or SCRIPT FLUSH answers NOSCRIPT): each call then sends the digest, not the source.
 * @module
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** A Lua script and the number of its arguments that are keys. */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;
  readonly #keys: number;

  constructor(source: string, keys: number) {
    this.#source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
    this.#keys = keys;
  }

  /**
   * Runs the script. `keys` get the client's key prefix; `args` are passed as they are (a
   * channel name, which ioredis does not prefix, goes here).
   */
  async run(redis: Redis, keys: string[], args: (string | number)[] = []): Promise<unknown> {
    if (keys.length !== this.#keys) {
      throw new Error(`Lua script expects ${this.#keys} keys, got ${keys.length}`);
    }
    try {
      return await redis.evalsha(this.#sha, this.#keys, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await redis.eval(this.#source, this.#keys, ...keys, ...args);
    }
  }
}
