/**
 * Kendall tau-b (the predictor's metric): scipy.stats.kendalltau values (scipy 1.17, default
 * variant 'b'), identities, NaN cases as scipy, and the O(n log n) algorithm against the O(n^2)
 * definition on random data with many ties.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { streamRng } from '../../lib/util/rng';
import { kendallTau } from '../../lib/metrics/kendall-tau';
import { KitError } from '../../lib/util/errors';

/** The definition, pair by pair. */
function tauBruteForce(x: number[], y: number[]): number {
  let s = 0;
  let nx = 0;
  let ny = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      s += dx * dy;
      if (dx === 0) nx++;
      if (dy === 0) ny++;
    }
  }
  const n0 = (n * (n - 1)) / 2;
  return s / Math.sqrt((n0 - nx) * (n0 - ny));
}

test('matches scipy.stats.kendalltau, with ties', () => {
  // scipy: kendalltau([12,2,1,12,2], [1,4,7,1,0]).statistic = -0.4714045207910316 (scipy docs example).
  assert.ok(Math.abs(kendallTau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) - -0.4714045207910316) < 1e-15);
  // scipy 1.17: kendalltau([1,2,3,4,5], [5,6,7,8,7]) = 0.7378647873726218 (one tie in y).
  assert.ok(Math.abs(kendallTau([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.7378647873726218) < 1e-15);
  // By hand and scipy: x ties 3, y ties 3, one joint tie, 9 concordant, 1 discordant -> 8 / 12.
  assert.ok(Math.abs(kendallTau([1, 1, 2, 2, 3, 3], [1, 2, 1, 2, 3, 3]) - 2 / 3) < 1e-15);
  // scipy 1.17: kendalltau([3,1,4,1,5,9,2,6], [2,7,1,8,2,8,1,8]) = 0.16051447078102563.
  assert.ok(Math.abs(kendallTau([3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]) - 0.16051447078102563) < 1e-15);
});

test('identities: perfect agreement 1, reversal -1, symmetric, invariant under monotone maps', () => {
  // Within 1 ulp, as scipy (kendalltau(x, x) is 0.9999999999999999 there too for this x:
  // it divides by sqrt(n0 - n_x) and sqrt(n0 - n_y) separately, and so does kendallTau).
  const x = [0.3, 2, -1, 7, 4.5, 4.6];
  const near = (a: number, b: number) => Math.abs(a - b) <= 2e-16;
  assert.ok(near(kendallTau(x, x), 1));
  assert.ok(near(kendallTau(x, x.map((v) => -v)), -1));
  assert.ok(near(kendallTau(x, x.map((v) => Math.exp(v))), 1));
  assert.equal(kendallTau([1, 2], [2, 1]), -1);
  const y = [1, 1, 0, 3, 2, 2];
  assert.equal(kendallTau(x, y), kendallTau(y, x));
  assert.ok(Math.abs(kendallTau(x, y) - tauBruteForce(x, y)) < 1e-15);
});

test('NaN cases as scipy: all ties, fewer than 2 points, NaN inputs; unequal lengths are a KitError', () => {
  assert.ok(Number.isNaN(kendallTau([1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(kendallTau([1, 2, 3], [5, 5, 5])));
  assert.ok(Number.isNaN(kendallTau([1], [1])));
  assert.ok(Number.isNaN(kendallTau([], [])));
  assert.ok(Number.isNaN(kendallTau([1, 2, NaN], [1, 2, 3])));
  assert.throws(() => kendallTau([1, 2, 3], [1, 2]), (e: unknown) => e instanceof KitError && /equal length/.test(e.message) && !!e.hint);
});

test('O(n log n) algorithm equals the pairwise definition on random data with many ties', () => {
  const rng = streamRng(5, 'kendall');
  for (const [n, levels] of [
    [2, 2],
    [7, 3],
    [50, 4],
    [301, 10],
    [400, 1000],
  ]) {
    const x = Array.from({ length: n }, () => Math.floor(rng() * levels));
    const y = Array.from({ length: n }, (_, i) => (rng() < 0.5 ? x[i] : Math.floor(rng() * levels)));
    const want = tauBruteForce(x, y);
    const got = kendallTau(Float64Array.from(x), Float32Array.from(y));
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got));
    else assert.ok(Math.abs(got - want) < 1e-12, `n ${n}: ${got} vs ${want}`);
  }
  // Large n stays fast.
  const n = 200000;
  const x = Array.from({ length: n }, () => rng());
  const t0 = performance.now();
  const tau = kendallTau(x, x.map((v, i) => v + (i % 7) * 0.01));
  assert.ok(tau > 0.9 && tau < 1);
  assert.ok(performance.now() - t0 < 5000);
});
