/**
 * A schedule built to cost within [low, high], for the windows the repair's random walk misses.
 *
 * Why: the repair (repair.ts) moves a few positions at a time towards lighter or heavier models.
 * When the window is narrower than the latency steps, the only schedules inside it can be several
 * moves away from anything the walk reaches, and it bounces over the window until its rounds run
 * out (measured: two models of 97.6 and 175.4 ms, window [490.5, 545]: 4 x 97.6 + 175.4 = 565.8
 * above, 5 x 97.6 = 488 below, while 3 x 175.4 = 526.2 lies inside). This finds a multiset of
 * model NFEs whose latencies sum into the window (budget.ts searchWindow, the walk that also tells
 * whether a window is reachable at all) and
 * lays it out as a valid schedule: DDIM NFEs at evenly spaced positions; DPM-Solver NFEs as evenly
 * spaced steps of order 1, or more where there are more NFEs than groups, packed at the start of
 * their group.
 */
import { GROUP_SIZE, NULL_MODEL, type SolverName, validateSchedule } from '../schedule/index';
import { searchWindow } from './budget';

/** Distinct sums explored at most; a window with that many cheaper sums and none inside is not searched further. */
const SUM_LIMIT = 200_000;

/** Model indices (1..N, as many as NFEs) whose latencies sum into [low, high] with at most `maxNfe` NFEs, fewest first; null if none. */
export function witnessNfes(table: Float64Array, maxNfe: number, low: number, high: number): number[] | null {
  return searchWindow(table, maxNfe, low, high, SUM_LIMIT).inside;
}

/** `nfes` (model indices) laid out as a valid schedule of `length` positions; see the file comment. */
export function scheduleOfNfes(solver: SolverName, length: number, numModels: number, nfes: readonly number[]): number[] {
  const entries = new Array<number>(length).fill(NULL_MODEL);
  const n = nfes.length;
  if (solver === 'ddim') {
    for (let i = 0; i < n; i++) entries[Math.floor((i * length) / n)] = nfes[i];
  } else {
    const groups = length / GROUP_SIZE;
    const used = Math.min(n, groups);
    const order = Array.from({ length: used }, (_, g) => Math.floor(n / used) + (g < n % used ? 1 : 0));
    let next = 0;
    for (let g = 0; g < used; g++) {
      const at = Math.floor((g * groups) / used) * GROUP_SIZE;
      for (let j = 0; j < order[g]; j++) entries[at + j] = nfes[next++];
    }
  }
  validateSchedule(solver, entries, numModels);
  return entries;
}
