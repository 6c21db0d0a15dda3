/**
 * Simulated football-data.co.uk files for tests: a sharp book (Pinnacle) close to the true
 * probabilities, soft books further from them with a larger margin, a closing price closer
 * still, and results drawn from the truth. Value then exists exactly where soft books err.
 * @module
 */
import { mulberry32 } from "../dixon_coles/simulate.ts";

const TEAMS = [
  "Arsenal",
  "Chelsea",
  "Everton",
  "Fulham",
  "Liverpool",
  "Burnley",
  "Watford",
  "Wolves",
];

/** Options of {@link syntheticSeasonCsv}. */
export interface SyntheticSeasonOptions {
  /** Year the season starts (2015 for 2015-16). */
  startYear: number;
  /** @default {1} */
  seed?: number;
}

function prices(p: readonly number[], noise: number, margin: number, rand: () => number): number[] {
  const noisy = p.map((x) => x * Math.exp(noise * (rand() + rand() + rand() - 1.5) * 2));
  const total = noisy.reduce((a, b) => a + b, 0);
  return noisy.map((x) => Math.round(100 / (x / total * (1 + margin))) / 100);
}

/** One season, every pair twice, as a football-data.co.uk CSV in the 2019-20 column layout. */
export function syntheticSeasonCsv(options: SyntheticSeasonOptions): string {
  const rand = mulberry32(options.seed ?? 1);
  const header = [
    "Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR,B365H,B365D,B365A,PSH,PSD,PSA,WHH,WHD,WHA",
    "VCH,VCD,VCA,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA,PSCH,PSCD,PSCA",
  ].join(",");
  const rows = [header];
  const start = Date.UTC(options.startYear, 7, 10);
  let n = 0;
  for (const home of TEAMS) {
    for (const away of TEAMS) {
      if (home === away) continue;
      const day = new Date(start + Math.floor(n++ / 4) * 7 * 86_400_000);
      const strength = (rand() - 0.5) * 1.6;
      const pH = 0.74 / (1 + Math.exp(-strength - 0.3)), pD = 0.26, pA = 1 - pH - pD;
      const truth = [pH, pD, pA];
      const u = rand();
      const result = u < pH ? 0 : u < pH + pD ? 1 : 2;
      const [hg, ag] = result === 0 ? [2, 0] : result === 1 ? [1, 1] : [0, 1];
      const ps = prices(truth, 0.03, 0.025, rand);
      const soft = [0, 1, 2].map(() => prices(truth, 0.1, 0.06, rand));
      const books = [soft[0], ps, soft[1], soft[2]];
      const max = [0, 1, 2].map((k) => Math.max(...books.map((b) => b[k])));
      const avg = [0, 1, 2].map((k) => Math.round(books.reduce((a, b) => a + b[k], 0) * 25) / 100);
      const close = prices(truth, 0.01, 0.02, rand);
      const date = `${String(day.getUTCDate()).padStart(2, "0")}/${
        String(day.getUTCMonth() + 1).padStart(2, "0")
      }/${day.getUTCFullYear()}`;
      rows.push(
        [
          "E0",
          date,
          "15:00",
          home,
          away,
          hg,
          ag,
          "HDA"[result],
          ...books.flat(),
          ...max,
          ...avg,
          ...close,
        ].join(","),
      );
    }
  }
  return rows.join("\n") + "\n";
}

/** Writes seasons `startYear..endYear` as `<dir>/E0/<YYYY-YY>.csv`. */
export async function writeSyntheticSeasons(
  dir: string,
  startYear: number,
  endYear: number,
): Promise<void> {
  await Deno.mkdir(`${dir}/E0`, { recursive: true });
  for (let y = startYear; y <= endYear; y++) {
    const label = `${y}-${String((y + 1) % 100).padStart(2, "0")}`;
    await Deno.writeTextFile(
      `${dir}/E0/${label}.csv`,
      syntheticSeasonCsv({ startYear: y, seed: y }),
    );
  }
}
