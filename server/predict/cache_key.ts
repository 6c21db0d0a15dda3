/**
 * Cache keys of prediction requests: (model version, league, canonical teams, kick-off, every book's prices).
 * Team names are canonicalised through the engine's names and aliases, so "Man United" and
 * "Manchester United" share an entry; the model version makes a reloaded model miss.
 * @module
 */
import { findLeague } from "../domain/leagues.ts";
import { pricesKey } from "../domain/bookmakers.ts";
import type { PredictionEngine, PredictionRequest } from "../domain/prediction.ts";

/** Builds cache keys from what the engine told about each league's teams and model version. */
export class PredictionCacheKeys {
  readonly #engine: PredictionEngine;
  /** League key -> lower-cased team name or alias -> canonical name. */
  readonly #aliases = new Map<string, Map<string, string>>();
  readonly #loadingAliases = new Map<string, Promise<void>>();
  /** Model version last seen per league: part of the key. */
  readonly #versions = new Map<string, string>();
  /**
   * Keys of frozen requests, which are shared between calls (the route's memo of repeated
   * bodies): a repeat reuses the key string (its hash is kept) instead of canonicalising again.
   * Valid while the league's model version is the one the key was built with.
   */
  readonly #sharedKeys = new WeakMap<
    PredictionRequest,
    { key: string; league: string; version: string }
  >();

  constructor(engine: PredictionEngine) {
    this.#engine = engine;
  }

  /**
   * The cache key of a request, or null when it cannot be canonicalised (yet): unknown league
   * or team, or a league whose names or model version are not known until its first answer.
   */
  keyOf(req: PredictionRequest): string | null {
    if (!Object.isFrozen(req)) return this.#canonicalKey(req);
    const known = this.#sharedKeys.get(req);
    if (known && this.#versions.get(known.league) === known.version) return known.key;
    const key = this.#canonicalKey(req);
    if (key !== null) {
      const league = findLeague(req.league)!.key;
      this.#sharedKeys.set(req, { key, league, version: this.#versions.get(league)! });
    }
    return key;
  }

  /**
   * Records the model version that answered for `league`; true when it replaced another one
   * (keys built before are stale).
   */
  noteVersion(league: string, version: string): boolean {
    const known = this.#versions.get(league);
    if (known === version) return false;
    this.#versions.set(league, version);
    return known !== undefined;
  }

  /** Whether the league's team names are known. */
  knowsTeams(league: string): boolean {
    return this.#aliases.has(league);
  }

  /**
   * Loads the league's team names from the engine, once however many callers ask; a league
   * the engine cannot list stays without keys.
   */
  learnTeams(league: string): Promise<void> {
    let p = this.#loadingAliases.get(league);
    if (!p) {
      p = this.#engine.teams(league).then((teams) => {
        const m = new Map<string, string>();
        for (const t of teams) {
          m.set(t.name.toLowerCase(), t.name);
          for (const a of t.aliases) m.set(a.toLowerCase(), t.name);
        }
        this.#aliases.set(league, m);
      }).catch(() => {
        // Unknown league or models not loaded: no cache for it; predict() reports the error.
      }).finally(() => this.#loadingAliases.delete(league));
      this.#loadingAliases.set(league, p);
    }
    return p;
  }

  /** Forgets the model versions: every key is rebuilt after the next answer of its league. */
  forgetVersions(): void {
    this.#versions.clear();
  }

  #canonicalKey(req: PredictionRequest): string | null {
    const league = findLeague(req.league)?.key;
    if (!league) return null;
    const names = this.#aliases.get(league);
    const version = this.#versions.get(league);
    if (!names || version === undefined) return null;
    const home = names.get(req.home_team.trim().toLowerCase());
    const away = names.get(req.away_team.trim().toLowerCase());
    if (home === undefined || away === undefined) return null;
    return `${version}\u0000${league}\u0000${home}\u0000${away}\u0000${req.kickoff ?? ""}\u0000${
      pricesKey(req)
    }`;
  }
}
