/**
 * The drill's REST load: requests at a fixed rate whatever the answers take (open loop, so a
 * slow service shows as latency, not as fewer requests), spread over simulated client
 * addresses (X-Forwarded-For behind one trusted proxy), mostly predictions with reads of the
 * live endpoints; and, when asked, one abusive client far over the rate limit.
 * @module
 */
import type { RequestSample } from "./report.ts";

/** A fixture the load can ask predictions for. */
export interface LoadFixture {
  league: string;
  home_team: string;
  away_team: string;
}

/** Options of {@link RestLoad}. */
export interface RestLoadOptions {
  /** Base URLs of the instances up now; requests go round-robin over them. */
  urls: () => string[];
  /** Requests per second of the normal load. */
  rate: number;
  /** Simulated normal clients (addresses). */
  clients: number;
  fixtures: () => LoadFixture[];
  /** Milliseconds since the drill started. */
  now: () => number;
}

/** The abusive client's address (TEST-NET-3). */
export const ABUSER_ADDRESS = "203.0.113.66";

/** Longest requests in flight before the load counts itself overloaded and skips one. */
const MAX_IN_FLIGHT = 256;

/** Runs the normal load and the abuser; keeps every sample. */
export class RestLoad {
  readonly samples: RequestSample[] = [];
  skipped = 0;
  readonly #options: RestLoadOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #abuse: { rate: number; started: number; sent: number } | undefined;
  #started = 0;
  #sent = 0;
  #inFlight = new Set<Promise<void>>();

  constructor(options: RestLoadOptions) {
    this.#options = options;
  }

  /** Starts the normal load. */
  start(): void {
    this.#started = performance.now();
    this.#timer = setInterval(() => this.#tick(), 10);
  }

  /** Starts (rate > 0) or stops (0) the abusive client. */
  abuse(rate: number): void {
    this.#abuse = rate > 0 ? { rate, started: performance.now(), sent: 0 } : undefined;
  }

  /** Stops issuing requests and waits for those in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all(this.#inFlight);
  }

  #tick(): void {
    const now = performance.now();
    const owed = Math.floor(((now - this.#started) / 1000) * this.#options.rate) - this.#sent;
    for (let i = 0; i < owed; i++) {
      this.#sent++;
      const client = this.#sent % this.#options.clients;
      this.#fire("normal", `172.16.${Math.floor(client / 250)}.${1 + (client % 250)}`);
    }
    const a = this.#abuse;
    if (a) {
      const due = Math.floor(((now - a.started) / 1000) * a.rate) - a.sent;
      for (let i = 0; i < due; i++, a.sent++) this.#fire("abuser", ABUSER_ADDRESS);
    }
  }

  #fire(client: RequestSample["client"], address: string): void {
    if (this.#inFlight.size >= MAX_IN_FLIGHT) {
      this.skipped++;
      return;
    }
    const t = this.#options.now();
    const started = performance.now();
    const request = this.#request(address);
    // One catch for the whole exchange: the timeout also fires while the body is read, and a
    // rejection there must count as a failed request (status 0), not escape unhandled.
    const p = (async (): Promise<Pick<RequestSample, "status" | "failure">> => {
      const what = `${request.init.method ?? "GET"} ${request.url.replace(/^http:\/\//, "")}`;
      try {
        const res = await fetch(request.url, {
          ...request.init,
          signal: AbortSignal.timeout(30_000),
        });
        if (res.status < 500) {
          await res.arrayBuffer();
          return { status: res.status };
        }
        const body = await res.json().catch(() => null);
        const code = String(body?.error?.code ?? "no error body");
        return { status: res.status, failure: { request: what, code } };
      } catch (error) {
        const e = error as Error & { cause?: { code?: string } };
        return { status: 0, failure: { request: what, code: e.cause?.code ?? e.name } };
      }
    })().then((answer) => {
      this.samples.push({ t, client, ...answer, ms: performance.now() - started });
    }).finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  /** Mostly predictions (the API's main work), then the live reads a board makes. */
  #request(address: string): { url: string; init: RequestInit } {
    const urls = this.#options.urls();
    const base = urls[(this.#sent + this.samples.length) % urls.length];
    const headers: Record<string, string> = { "x-forwarded-for": address };
    const roll = Math.random();
    if (roll < 0.7) {
      const fixtures = this.#options.fixtures();
      const f = fixtures[Math.floor(Math.random() * fixtures.length)];
      return {
        url: `${base}/api/v1/predictions`,
        init: {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({
            league: f.league,
            home_team: f.home_team,
            away_team: f.away_team,
          }),
        },
      };
    }
    const path = roll < 0.85 ? "/api/v1/matches/upcoming?limit=20" : "/api/v1/value-bets";
    return { url: `${base}${path}`, init: { headers } };
  }
}

/** The `RateLimit` field's remaining count and seconds to reset, or null without one. */
export function readRateLimit(field: string | null): { remaining: number; reset: number } | null {
  const r = field?.match(/;r=(\d+)/)?.[1];
  const t = field?.match(/;t=(\d+)/)?.[1];
  return r === undefined || t === undefined ? null : { remaining: Number(r), reset: Number(t) };
}
