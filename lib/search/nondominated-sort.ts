/**
 * Fast non-dominated sorting (Deb, Pratap, Agarwal & Meyarivan, "A fast and elitist multiobjective
 * genetic algorithm: NSGA-II", IEEE Trans. Evol. Comput. 6(2), 2002, §III-A): splits a set of points
 * into fronts, where front 0 is the points no other point dominates, front 1 the points dominated only
 * by points of front 0, and so on. The whole-front search (front-search.ts) ranks schedules this way on
 * (predicted score, time cost), both minimised, so that a schedule survives when no other schedule is
 * both better-scored and cheaper.
 *
 * Deb's algorithm compares every pair once (O(M N^2) for N points and M objectives) and then peels
 * the fronts off by counting dominators; for the search's few hundred points per generation that is
 * a fraction of a millisecond.
 */

/** One point's objective values, every objective minimised. */
export type Objectives = readonly number[];

/** The fronts in order (each a list of point indices, ascending) and each point's front number. */
export interface NondominatedSorting {
  fronts: number[][];
  /** rank[i] is the index of the front holding point i (0 = not dominated by any point). */
  rank: Int32Array;
}

/**
 * Whether `a` dominates `b`: no worse in every objective and strictly better in at least one.
 * Equal points do not dominate each other, so copies share a front.
 */
export function dominates(a: Objectives, b: Objectives): boolean {
  let better = false;
  for (let m = 0; m < a.length; m++) {
    if (a[m] > b[m]) return false;
    if (a[m] < b[m]) better = true;
  }
  return better;
}

/** Sorts `points` (all with the same number of objectives, all minimised) into non-dominated fronts. */
export function nondominatedSort(points: readonly Objectives[]): NondominatedSorting {
  const n = points.length;
  const rank = new Int32Array(n);
  if (n === 0) return { fronts: [], rank };
  // dominatedBy[i]: how many points dominate i; dominatedSet[i]: the points i dominates.
  const dominatedBy = new Int32Array(n);
  const dominatedSet: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i], points[j])) {
        dominatedSet[i].push(j);
        dominatedBy[j]++;
      } else if (dominates(points[j], points[i])) {
        dominatedSet[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i);
  while (current.length > 0) {
    const r = fronts.length;
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      rank[i] = r;
      for (const j of dominatedSet[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    next.sort((a, b) => a - b);
    current = next;
  }
  return { fronts, rank };
}
