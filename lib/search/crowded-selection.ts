/**
 * The two selections of NSGA-II (Deb et al. 2002, §III-C), used by the whole-front search
 * (front-search.ts):
 *
 *   - survivors: parents and children together are sorted into non-dominated fronts, whole fronts
 *     are kept in order while they fit, and the front that does not fit is cut by crowding distance,
 *     largest first. Elitist (no non-dominated schedule is lost while the first front fits) and
 *     spreading (the cut keeps the front's ends and its sparse parts);
 *   - parents: a tournament under the crowded comparison: the lower rank wins, on equal rank the
 *     larger crowding distance.
 */
import type { Rng } from '../util/rng';
import { crowdingDistance } from './crowding-distance';
import { nondominatedSort, type Objectives } from './nondominated-sort';
import { tournament } from './tournament';

/** What the selections write on a population member (and the tournament reads). */
export interface RankedMember {
  /** Non-dominated front number in the last survivor selection (0 = first front). */
  rank: number;
  /** Crowding distance on that front. */
  crowding: number;
}

/**
 * The `size` survivors of `pool` (all of it when it is not larger) under the objectives
 * `objectives(member)`, all minimised: whole fronts in pool order while they fit, then the cut
 * front by crowding distance, largest first (on equal distances earlier pool members, the older
 * ones, first). Sets `rank` and `crowding` on every pool member.
 */
export function survivors<T extends RankedMember>(pool: readonly T[], size: number, objectives: (member: T) => Objectives): T[] {
  const points = pool.map(objectives);
  const { fronts } = nondominatedSort(points);
  const kept: T[] = [];
  for (let r = 0; r < fronts.length; r++) {
    const front = fronts[r];
    const distance = crowdingDistance(points, front);
    front.forEach((i, k) => {
      pool[i].rank = r;
      pool[i].crowding = distance[k];
    });
    if (kept.length >= size) continue;
    if (kept.length + front.length <= size) {
      for (const i of front) kept.push(pool[i]);
    } else {
      const byRoom = front.map((i, k) => ({ i, d: distance[k] })).sort((a, b) => (a.d === b.d ? a.i - b.i : b.d - a.d));
      for (let k = 0; kept.length < size; k++) kept.push(pool[byRoom[k].i]);
    }
  }
  return kept;
}

/** Deb's crowded comparison: whether `a` is preferred to `b`. */
export function crowdedBetter(a: RankedMember, b: RankedMember): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.crowding > b.crowding);
}

/**
 * The preferred of `size` distinct random members under the crowded comparison (the best of all
 * when the population is not larger than `size`); on a tie the one drawn first. NSGA-II uses
 * size 2 (binary tournament).
 */
export function crowdedTournament<T extends RankedMember>(population: readonly T[], size: number, rng: Rng): T {
  return tournament<T>(population, size, rng, crowdedBetter);
}
