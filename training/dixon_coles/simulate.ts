/**
 * Simulated leagues drawn from a known Dixon-Coles model, for recovery and leakage tests.
 * @module
 */
import type { MatchRecord } from "../../server/domain/types.ts";
import { scoreMatrix } from "../../server/domain/score_matrix.ts";

/** Mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link simulateLeague}. */
export interface SimulateLeagueOptions {
  /** Team names; their count must be even. */
  teams: string[];
  /** True log-attack per team (same order as `teams`). */
  attack: number[];
  /** True log-defence per team. */
  defence: number[];
  /** @default {0.1} */
  intercept?: number;
  /** @default {0.25} */
  homeAdvantage?: number;
  /** @default {-0.1} */
  rho?: number;
  /** Double round-robin seasons to play. @default {5} */
  seasons?: number;
  /** First season's first matchday. @default {2015-08-08T15:00:00Z} */
  start?: Date;
  /** PRNG seed. @default {1} */
  seed?: number;
  /** League key written into the records. @default {"sim-league"} */
  league?: string;
}

/** Circle-method round robin: rounds of [home, away] index pairs, each pair once. */
function roundRobin(n: number): [number, number][][] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rounds: [number, number][][] = [];
  for (let r = 0; r < n - 1; r++) {
    const round: [number, number][] = [];
    for (let i = 0; i < n / 2; i++) {
      const a = order[i], b = order[n - 1 - i];
      round.push(r % 2 === 0 ? [a, b] : [b, a]);
    }
    rounds.push(round);
    order.splice(1, 0, order.pop()!);
  }
  return rounds;
}

/**
 * Plays `seasons` double round-robins (one round a week, a season a year) with scores drawn
 * from the Dixon-Coles score matrix of the given parameters.
 */
export function simulateLeague(options: SimulateLeagueOptions): MatchRecord[] {
  const {
    teams,
    attack,
    defence,
    intercept = 0.1,
    homeAdvantage = 0.25,
    rho = -0.1,
    seasons = 5,
    start = new Date("2015-08-08T15:00:00Z"),
    seed = 1,
    league = "sim-league",
  } = options;
  if (teams.length % 2 !== 0 || teams.length < 2) {
    throw new RangeError(`Need an even number of teams, got ${teams.length}`);
  }
  const random = mulberry32(seed);
  const maxGoals = 15;
  const n = maxGoals + 1;
  const first = roundRobin(teams.length);
  const rounds = [...first, ...first.map((r) => r.map(([a, b]) => [b, a] as [number, number]))];
  const out: MatchRecord[] = [];
  for (let s = 0; s < seasons; s++) {
    const year = start.getUTCFullYear() + s;
    const seasonStart = new Date(start.getTime());
    seasonStart.setUTCFullYear(year);
    const season = `${year}-${year + 1}`;
    rounds.forEach((round, r) => {
      round.forEach(([hi, ai], slot) => {
        const kickoff = new Date(seasonStart.getTime() + r * 7 * 86_400_000 + slot * 60_000);
        const lambda = Math.exp(intercept + homeAdvantage + attack[hi] + defence[ai]);
        const mu = Math.exp(intercept + attack[ai] + defence[hi]);
        const m = scoreMatrix(lambda, mu, rho, maxGoals);
        let total = 0;
        for (const v of m) total += v;
        let u = random() * total;
        let cell = 0;
        while (cell < m.length - 1 && u >= m[cell]) u -= m[cell++];
        const home = teams[hi], away = teams[ai];
        out.push({
          id: `${league}:${kickoff.toISOString().slice(0, 10)}:${home}:${away}`,
          league,
          season,
          kickoff,
          home,
          away,
          homeGoals: Math.floor(cell / n),
          awayGoals: cell % n,
          opening: {},
          closing: {},
        });
      });
    });
  }
  return out;
}
