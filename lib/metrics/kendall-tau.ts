/**
 * Kendall's tau-b rank correlation, the predictor's metric (method doc §5; the official code calls
 * `scipy.stats.kendalltau`, whose default variant is tau-b):
 *
 *   tau_b = (n_c - n_d) / sqrt((n_0 - n_x) (n_0 - n_y))
 *
 * n_0 = n (n - 1) / 2 pairs, n_c / n_d concordant / discordant pairs, n_x pairs tied in x, n_y pairs
 * tied in y (a pair tied in both counts in n_x and n_y and in neither n_c nor n_d).
 *
 * Knight's O(n log n) algorithm (as in scipy): sort the indices by (x, y); then pairs tied in x
 * have non-decreasing y, so the discordant pairs are exactly the strict inversions of y in that
 * order, counted by a merge sort; n_x, n_y and the joint ties n_xy come from runs of equal values,
 * and n_c - n_d = n_0 - n_x - n_y + n_xy - 2 n_d.
 *
 * Edge cases, as scipy (nan_policy 'propagate'): any NaN in x or y gives NaN; fewer than 2 points
 * gives NaN; all of x (or all of y) tied gives NaN (the denominator is 0). The result is clipped to
 * [-1, 1] against rounding. Inputs of different lengths are a KitError.
 */
import { KitError } from '../util/errors';

/** Number of pairs i < j with a[i] > a[j] (strict) in `a`, which is sorted in place (merge sort). */
function countInversions(a: Float64Array): number {
  const n = a.length;
  let src = a;
  let dst = new Float64Array(n);
  let inversions = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (src[j] < src[i]) {
          inversions += mid - i; // src[j] is smaller than every remaining left element
          dst[k++] = src[j++];
        } else {
          dst[k++] = src[i++];
        }
      }
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== a) a.set(src);
  return inversions;
}

/** Sum over runs of equal consecutive values of run * (run - 1) / 2; `eq(i)` says whether item i equals item i - 1. */
function tiedPairs(n: number, eq: (i: number) => boolean): number {
  let total = 0;
  let run = 1;
  for (let i = 1; i <= n; i++) {
    if (i < n && eq(i)) run++;
    else {
      total += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return total;
}

/** Kendall's tau-b of two equally long samples (scipy.stats.kendalltau's statistic). */
export function kendallTau(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) {
    throw new KitError(`Kendall tau needs two samples of equal length, got ${n} and ${y.length}`, {
      hint: 'pass the predicted scores and the true FIDs of the same schedules, in the same order',
    });
  }
  for (let i = 0; i < n; i++) if (Number.isNaN(x[i]) || Number.isNaN(y[i])) return NaN;
  if (n < 2) return NaN;

  // Order by (x, y).
  const cmp = (u: number, v: number) => (u < v ? -1 : u > v ? 1 : 0);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => cmp(x[a], x[b]) || cmp(y[a], y[b]));
  const xs = Float64Array.from(order, (i) => x[i]);
  const ys = Float64Array.from(order, (i) => y[i]);

  const nx = tiedPairs(n, (i) => xs[i] === xs[i - 1]);
  const nxy = tiedPairs(n, (i) => xs[i] === xs[i - 1] && ys[i] === ys[i - 1]);
  const nd = countInversions(ys); // sorts ys
  const ny = tiedPairs(n, (i) => ys[i] === ys[i - 1]);

  const n0 = (n * (n - 1)) / 2;
  if (nx === n0 || ny === n0) return NaN;
  const tau = (n0 - nx - ny + nxy - 2 * nd) / Math.sqrt(n0 - nx) / Math.sqrt(n0 - ny);
  return Math.min(1, Math.max(-1, tau));
}
