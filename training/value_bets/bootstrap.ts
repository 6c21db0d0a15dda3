/**
 * Seeded cluster bootstrap of means: resample whole clusters (match-days) with replacement and
 * take the percentile interval of the resampled means (Efron & Tibshirani 1993, ch. 13).
 * @module
 */
import { mulberry32 } from "../dixon_coles/simulate.ts";

/** Options of {@link bootstrapMeans}. */
export interface BootstrapOptions {
  /** Number of resamples. @default {2000} */
  resamples?: number;
  /** Seed of the resampling generator, so an interval is reproducible. @default {19} */
  seed?: number;
  /** Coverage of the interval. @default {0.95} */
  level?: number;
}

/** The 2.5 % and 97.5 % points (for a 95 % level) of the resampled means. */
export type Interval = [number, number];

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Percentile intervals of the means of several columns of per-item values, all from the same
 * resamples of `clusters` (one label per item; items of a cluster are drawn together). Each
 * resampled mean is the resampled sum over the resampled count. Empty input gives NaN bounds.
 */
export function bootstrapMeans(
  columns: readonly (readonly number[])[],
  clusters: readonly string[],
  options: BootstrapOptions = {},
): Interval[] {
  const { resamples = 2000, seed = 19, level = 0.95 } = options;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`Resamples must be a positive integer, got "${resamples}"`);
  }
  for (const c of columns) {
    if (c.length !== clusters.length) {
      throw new RangeError(`A column has ${c.length} values for ${clusters.length} cluster labels`);
    }
  }
  if (clusters.length === 0) return columns.map(() => [NaN, NaN]);
  const index = new Map<string, number>();
  const clusterOf = clusters.map((c) => {
    let i = index.get(c);
    if (i === undefined) index.set(c, i = index.size);
    return i;
  });
  const groups = index.size;
  const counts = new Float64Array(groups);
  const sums = columns.map(() => new Float64Array(groups));
  clusterOf.forEach((g, item) => {
    counts[g]++;
    columns.forEach((c, j) => sums[j][g] += c[item]);
  });
  const random = mulberry32(seed);
  const means = columns.map(() => new Float64Array(resamples));
  const total = new Float64Array(columns.length);
  for (let b = 0; b < resamples; b++) {
    total.fill(0);
    let n = 0;
    for (let k = 0; k < groups; k++) {
      const g = Math.floor(random() * groups);
      n += counts[g];
      for (let j = 0; j < columns.length; j++) total[j] += sums[j][g];
    }
    for (let j = 0; j < columns.length; j++) means[j][b] = total[j] / n;
  }
  const tail = (1 - level) / 2;
  return means.map((m) => {
    m.sort();
    return [quantile(m, tail), quantile(m, 1 - tail)];
  });
}
