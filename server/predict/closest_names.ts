/**
 * "Did you mean" suggestions for unknown team and league names.
 * @module
 */

function normalise(s: string): string {
  return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}

/** Levenshtein edit distance, capped at `max + 1` to stay cheap on hostile input. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        prev[j] + 1,
        cur[j - 1] + 1,
        prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Up to `limit` of `names` closest to `query`: names containing it first, then by edit distance.
 * Inputs longer than 64 characters are cut, so the cost stays bounded.
 */
export function closestNames(query: string, names: readonly string[], limit = 3): string[] {
  const q = normalise(query).slice(0, 64);
  if (q === "") return names.slice(0, limit);
  const scored = names.map((name) => {
    const n = normalise(name);
    const d = n.includes(q) || q.includes(n) ? 0 : distance(q, n.slice(0, 64), 64);
    return { name, d };
  });
  scored.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.name);
}
