/**
 * The last prices seen per upcoming match before kick-off: the closing line of alerts. Every
 * upcoming match is kept in memory (a later alert may need it); only matches with alerts are
 * persisted to Deno KV.
 * @module
 */
/// <reference lib="deno.unstable" />
import type { MatchOdds } from "../domain/live_protocol.ts";

/** Prices of one match at one time. */
export interface LastOdds {
  odds: MatchOdds;
  /** When they were seen (epoch ms). */
  at: number;
  /** Kick-off (epoch ms). */
  kickoff: number;
}

/** Options of {@link LastPrices.open}. */
export interface LastPricesOptions {
  /** @default none: prices live in memory only */
  kv?: Deno.Kv;
  /** KV key prefix (the alerts' one). */
  prefix: Deno.KvKey;
}

/** Last prices per match id. */
export class LastPrices {
  #options: LastPricesOptions;
  #byMatch = new Map<string, LastOdds>();

  private constructor(options: LastPricesOptions) {
    this.#options = options;
  }

  /** Opens the prices, reloading the persisted ones from KV when given. */
  static async open(options: LastPricesOptions): Promise<LastPrices> {
    const prices = new LastPrices(options);
    if (options.kv) {
      for await (const e of options.kv.list<LastOdds>({ prefix: [...options.prefix, "odds"] })) {
        prices.#byMatch.set(String(e.key[e.key.length - 1]), e.value);
      }
    }
    return prices;
  }

  /** Records prices; `persist` writes them to KV too. */
  async record(matchId: string, last: LastOdds, persist: boolean): Promise<void> {
    this.#byMatch.set(matchId, last);
    if (persist) await this.persist(matchId);
  }

  /** Writes the match's prices to KV (when it has some). */
  async persist(matchId: string): Promise<void> {
    const last = this.#byMatch.get(matchId);
    if (last) await this.#options.kv?.set([...this.#options.prefix, "odds", matchId], last);
  }

  /** The last prices seen at or before `kickoff` (epoch ms), or null. */
  closing(matchId: string, kickoff: number): MatchOdds | null {
    const seen = this.#byMatch.get(matchId);
    return seen && seen.at <= kickoff ? seen.odds : null;
  }

  /** Every match with its prices. */
  entries(): [string, LastOdds][] {
    return [...this.#byMatch];
  }

  /** Forgets a match. */
  async forget(matchId: string): Promise<void> {
    this.#byMatch.delete(matchId);
    await this.#options.kv?.delete([...this.#options.prefix, "odds", matchId]);
  }
}
