/**
 * "Did you mean" suggestions for unknown team and league names: Levenshtein (1966) edit
 * distance, where a label that starts like the query counts as one edit.
 * @module
 */

/** Lower case, trimmed, inner spaces collapsed: how names are compared. */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, " ");
}

/** Levenshtein (1966) edit distance between two strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let curr = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min(prev[j] + 1, curr[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length];
}

/**
 * Edit distance from a query to a label, where a label that starts like the query (e.g.
 * "manchester" for "Manchester United") counts as one edit plus the distance to that prefix.
 */
function labelDistance(query: string, label: string): number {
  const full = editDistance(query, label);
  if (label.length <= query.length) return full;
  return Math.min(full, editDistance(query, label.slice(0, query.length)) + 1);
}

/**
 * Ranks `candidates` (label -> the name to suggest) by edit distance to `query` (prefixes count
 * one edit), keeping each suggested name once, closest first, ties by name.
 */
export function closestNames(
  query: string,
  candidates: Iterable<[label: string, name: string]>,
  count = 3,
): string[] {
  const q = normaliseName(query);
  const best = new Map<string, number>();
  for (const [label, name] of candidates) {
    const d = labelDistance(q, normaliseName(label));
    if (d < (best.get(name) ?? Infinity)) best.set(name, d);
  }
  return [...best].sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))
    .slice(0, count).map(([name]) => name);
}
