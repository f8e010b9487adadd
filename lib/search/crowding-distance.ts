/**
 * Crowding distance (Deb et al. 2002, NSGA-II, §III-B): how much room a point has around it on its
 * front. For each objective, the front is sorted by that objective; the two end points get infinity
 * (they are always kept), and every other point adds the gap between its two neighbours divided by
 * the objective's range on the front. The whole-front search (front-search.ts) prefers, among points
 * of the same front, the ones with more room, so that its population spreads along the whole
 * score-cost trade-off instead of bunching at one cost.
 *
 * One deliberate detail: an objective whose values are all equal on the front (range 0) adds
 * nothing and marks no end points, where Deb's formula would divide by zero (its "ends" would be
 * arbitrary copies).
 */
import type { Objectives } from './nondominated-sort';

/**
 * The crowding distance of each point of `front` (indices into `points`), in the order of `front`.
 * Ties in an objective keep the order of `front`, so the result is deterministic.
 */
export function crowdingDistance(points: readonly Objectives[], front: readonly number[]): Float64Array {
  const size = front.length;
  const distance = new Float64Array(size);
  if (size === 0) return distance;
  if (size <= 2) return distance.fill(Infinity);
  const order = Array.from({ length: size }, (_, k) => k);
  const objectives = points[front[0]].length;
  for (let m = 0; m < objectives; m++) {
    const value = (k: number): number => points[front[k]][m];
    order.sort((a, b) => value(a) - value(b) || a - b);
    const low = value(order[0]);
    const high = value(order[size - 1]);
    const range = high - low;
    if (range === 0) continue;
    distance[order[0]] = Infinity;
    distance[order[size - 1]] = Infinity;
    for (let s = 1; s < size - 1; s++) distance[order[s]] += (value(order[s + 1]) - value(order[s - 1])) / range;
  }
  return distance;
}
