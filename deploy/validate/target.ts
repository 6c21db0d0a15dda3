/**
 * The deployment one validation attempt talks to: its API and web base URLs, the origins found
 * unreachable (so later checks fail at once instead of waiting again) and what earlier checks
 * learnt that later ones need (league keys, the home page).
 * @module
 */
import { type Answer, CheckFailure, probe, type ProbeOptions, UnreachableError } from "./probe.ts";

/** One named deployment check; resolves with a short detail, throws {@link CheckFailure}. */
export interface Check {
  name: string;
  run(target: DeploymentTarget): Promise<string>;
}

/** Which base URL a request goes to. */
export type Side = "api" | "web";

/** Options of {@link DeploymentTarget}. */
export interface DeploymentTargetOptions {
  apiUrl: string;
  webUrl: string;
  /** Longest wait for one answer, in milliseconds. @default 5000 */
  timeoutMs?: number;
}

/** The deployment under validation and the state one attempt shares between its checks. */
export class DeploymentTarget {
  readonly apiUrl: string;
  readonly webUrl: string;
  readonly timeoutMs: number;
  #unreachable = new Map<string, UnreachableError>();
  #leagues: string[] | undefined;
  #homePage: string | undefined;

  constructor(options: DeploymentTargetOptions) {
    this.apiUrl = options.apiUrl;
    this.webUrl = options.webUrl;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The absolute URL of `path` on one side. */
  url(side: Side, path: string): string {
    return `${side === "api" ? this.apiUrl : this.webUrl}${path}`;
  }

  /** Throws the earlier {@link UnreachableError} of a side's origin, if there was one. */
  assertReachable(side: Side): void {
    const known = this.#unreachable.get(new URL(this.url(side, "/")).origin);
    if (known) throw known;
  }

  /** Requests `path`; an origin that was unreachable once in this attempt fails at once. */
  async request(side: Side, path: string, options: ProbeOptions = {}): Promise<Answer> {
    this.assertReachable(side);
    const url = this.url(side, path);
    const origin = new URL(url).origin;
    try {
      return await probe(url, { timeoutMs: this.timeoutMs, ...options });
    } catch (error) {
      if (error instanceof UnreachableError) this.#unreachable.set(origin, error);
      throw error;
    }
  }

  /** Records the available league keys (from `/api/v1/leagues`). */
  setLeagues(keys: string[]): void {
    this.#leagues = keys;
  }

  /** The available league keys; fails when the leagues check did not get them. */
  leagues(): string[] {
    if (this.#leagues === undefined || this.#leagues.length === 0) {
      throw new CheckFailure("Skipped: the leagues check found no available league");
    }
    return this.#leagues;
  }

  /** Records the home page HTML. */
  setHomePage(html: string): void {
    this.#homePage = html;
  }

  /** The home page HTML; fails when the home page check did not get it. */
  homePage(): string {
    if (this.#homePage === undefined) {
      throw new CheckFailure("Skipped: the home page check failed");
    }
    return this.#homePage;
  }
}
