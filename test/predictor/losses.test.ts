/**
 * The predictor's losses (method doc §5). Checked in the official code: compare_data in
 * code/predictor/modules/predictor_utils.py (pairs i < j of the upper triangle with
 * |f_i - f_j| > compare_threshold, at most int(max_compare_ratio * bs) kept by
 * np.random.choice without replacement, better = f_i > f_j) and update_compare in
 * modules/predictor.py (mean(max(0, margin - (2 better - 1) (s_i - s_j))), margin 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { streamRng } from '../../lib/util/rng';
import { mseLoss, pairwiseHingeLoss, selectRankingPairs } from '../../lib/predictor/index';

function pairsOf(p: { first: Int32Array; second: Int32Array }): string[] {
  return Array.from(p.first, (i, k) => `${i},${p.second[k]}`);
}

test('pair selection: strict FID threshold, i < j in row-major order, sign +1 when FID_i > FID_j', () => {
  const fids = [0, 0.2, 0.5, 1.0, 0.25];
  const p = selectRankingPairs(fids, streamRng(1, 'pairs'));
  // |0 - 0.25| = 0.25 is not > 0.25; |0.2 - 0.25| and |0 - 0.2| are below it.
  assert.deepEqual(pairsOf(p), ['0,2', '0,3', '1,2', '1,3', '2,3', '3,4']);
  assert.deepEqual(Array.from(p.sign), [-1, -1, -1, -1, -1, 1]);
  assert.equal(selectRankingPairs(fids, streamRng(1, 'pairs'), { threshold: 0.6 }).first.length, 3); // (0,3), (1,3), (3,4)
  assert.equal(selectRankingPairs([3, 3.1, 3.2], streamRng(1, 'pairs')).first.length, 0);
});

test('pair selection: at most floor(ratio * B) pairs, a valid random subset, deterministic in the stream', () => {
  const B = 40;
  const fids = Array.from({ length: B }, (_, i) => (i * 7) % B); // distinct, 780 pairs over the threshold
  const a = selectRankingPairs(fids, streamRng(3, 'pairs', 0));
  assert.equal(a.first.length, 2 * B);
  const keys = pairsOf(a);
  assert.equal(new Set(keys).size, keys.length, 'no pair twice');
  for (let k = 0; k < a.first.length; k++) {
    const i = a.first[k];
    const j = a.second[k];
    assert.ok(i < j && Math.abs(fids[i] - fids[j]) > 0.25);
    assert.equal(a.sign[k], fids[i] > fids[j] ? 1 : -1);
  }
  assert.deepEqual(pairsOf(selectRankingPairs(fids, streamRng(3, 'pairs', 0))), keys, 'same stream, same pairs');
  assert.notDeepEqual(pairsOf(selectRankingPairs(fids, streamRng(3, 'pairs', 1))), keys, 'other stream, other pairs');
  assert.equal(selectRankingPairs(fids, streamRng(3, 'pairs', 0), { maxPairsRatio: 0.5 }).first.length, 20);
  assert.equal(selectRankingPairs(fids.slice(0, 5), streamRng(3, 'pairs', 0)).first.length, 10, 'under the cap: all pairs');
});

test('pair selection: the subset is uniform over the candidate pairs', () => {
  const fids = Array.from({ length: 10 }, (_, i) => i); // 45 pairs, cap 20
  const counts = new Map<string, number>();
  const draws = 3000;
  for (let d = 0; d < draws; d++) for (const k of pairsOf(selectRankingPairs(fids, streamRng(9, 'uniform', d)))) counts.set(k, (counts.get(k) ?? 0) + 1);
  assert.equal(counts.size, 45);
  for (const [k, c] of counts) assert.ok(Math.abs(c / draws - 20 / 45) < 0.05, `pair ${k}: frequency ${c / draws}`);
});

test('hinge loss = mean(max(0, margin - y (s_i - s_j))), MSE = mean((s - f)^2)', async () => {
  await tf.setBackend('cpu');
  const fids = [1, 3, 2, 0];
  const scores = [0.5, 2.0, 1.8, -3];
  const pairs = selectRankingPairs(fids, streamRng(1, 'pairs'), { threshold: 0.5 });
  let want = 0;
  for (let k = 0; k < pairs.first.length; k++) want += Math.max(0, 1 - pairs.sign[k] * (scores[pairs.first[k]] - scores[pairs.second[k]]));
  want /= pairs.first.length;
  const got = tf.tidy(() => pairwiseHingeLoss(tf.tensor1d(scores), pairs).dataSync()[0]);
  assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
  // Six pairs; only (1, 2) (y = +1, s_1 - s_2 = 0.2) is inside the margin: 0.8 / 6 with margin 1, 0 with margin 0.1.
  assert.equal(pairs.first.length, 6);
  assert.ok(Math.abs(got - 0.8 / 6) < 1e-6);
  assert.equal(tf.tidy(() => pairwiseHingeLoss(tf.tensor1d(scores), pairs, 0.1).dataSync()[0]), 0);
  const mse = tf.tidy(() => mseLoss(tf.tensor1d(scores), fids).dataSync()[0]);
  assert.ok(Math.abs(mse - scores.reduce((a, s, i) => a + (s - fids[i]) ** 2, 0) / 4) < 1e-5);
  // A worse schedule (higher FID) with a lower score is pushed up: d loss / d s_worse < 0.
  const g = tf.grad((s: tf.Tensor) => pairwiseHingeLoss(s as tf.Tensor1D, selectRankingPairs([5, 1], streamRng(1, 'p'))))(tf.tensor1d([0, 0])).arraySync() as number[];
  assert.ok(g[0] < 0 && g[1] > 0);
});
