/**
 * "Did you mean ...?" for misspelt config keys, profile names and zoo ids. A typo in a YAML key
 * would otherwise be rejected with a bare "unknown key", and the fix is usually one edit away.
 */

/** Levenshtein distance (insert, delete, substitute; each costs 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length];
}

/**
 * The candidate closest to `input`, or undefined when nothing is close enough to be a plausible
 * typo. A case-insensitive exact match wins (YAML keys are case-sensitive, `imagesize` is a
 * common slip), then the one candidate the input abbreviates; otherwise the distance must be at most max(2, a third of the input's length) so
 * that short keys do not "suggest" unrelated short keys.
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const caseMatch = candidates.find((c) => c.toLowerCase() === lower);
  if (caseMatch !== undefined) return caseMatch;
  // An abbreviation of exactly one candidate ('dpm' for 'dpm-solver') beats any short edit distance.
  const prefixed = lower.length >= 2 ? candidates.filter((c) => c.toLowerCase().startsWith(lower)) : [];
  if (prefixed.length === 1) return prefixed[0];
  const limit = Math.max(2, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** " (did you mean 'x'?)" or "" - ready to append to a message. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const c = closest(input, candidates);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
