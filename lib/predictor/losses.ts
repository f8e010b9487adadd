/**
 * Training losses of the predictor (method doc §5; official `compare_data` in
 * code/predictor/modules/predictor_utils.py and `update_compare` / `update_predict` in
 * modules/predictor.py).
 *
 * Pairwise hinge ranking loss over a batch with FIDs f and scores s:
 *   candidate pairs: i < j with |f_i - f_j| > threshold (0.25), in row-major order;
 *   if there are more than floor(ratio * B) (ratio 2), keep a uniformly random subset of that size;
 *   y = +1 if f_i > f_j else -1;  loss = mean over kept pairs of max(0, margin - y (s_i - s_j)), margin 1.
 * So a worse schedule (higher FID) is pushed to a higher score. With no pair (all FIDs within the
 * threshold) the official code takes the mean of nothing (NaN); here the caller gets zero pairs
 * and skips the step.
 *
 * MSE alternative: mean((s - f)^2).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';

export interface RankingPairOptions {
  /** Minimum |FID_i - FID_j| for a pair to count (strictly greater); default 0.25. */
  threshold?: number;
  /** At most floor(maxPairsRatio * B) pairs are kept; default 2. */
  maxPairsRatio?: number;
}

/** Kept pairs: indices into the batch and the sign y (+1 when FID_first > FID_second). */
export interface RankingPairs {
  first: Int32Array;
  second: Int32Array;
  sign: Float32Array;
}

/** The pairs of one batch (see the file comment); `rng` draws the subset when there are too many. */
export function selectRankingPairs(fids: ArrayLike<number>, rng: Rng, options: RankingPairOptions = {}): RankingPairs {
  const threshold = options.threshold ?? 0.25;
  const ratio = options.maxPairsRatio ?? 2;
  const B = fids.length;
  const cap = Math.floor(ratio * B);
  let candidates: number[] = [];
  for (let i = 0; i < B; i++) for (let j = i + 1; j < B; j++) if (Math.abs(fids[i] - fids[j]) > threshold) candidates.push(i * B + j);
  if (candidates.length > cap) {
    // Uniform subset of size cap without replacement: the first cap slots of a partial Fisher-Yates shuffle.
    for (let k = 0; k < cap; k++) {
      const r = k + Math.floor(rng() * (candidates.length - k));
      const t = candidates[k];
      candidates[k] = candidates[r];
      candidates[r] = t;
    }
    candidates = candidates.slice(0, cap);
  }
  const n = candidates.length;
  const first = new Int32Array(n);
  const second = new Int32Array(n);
  const sign = new Float32Array(n);
  candidates.forEach((p, k) => {
    const i = Math.floor(p / B);
    const j = p - i * B;
    first[k] = i;
    second[k] = j;
    sign[k] = fids[i] > fids[j] ? 1 : -1;
  });
  return { first, second, sign };
}

/**
 * mean(max(0, margin - y (s_i - s_j))) over the pairs; scores [B]. The differences y (s_i - s_j)
 * are one matMul with a [P, B] matrix holding +y at column i and -y at column j (a gather's
 * gradient would need UnsortedSegmentSum, which the WASM backend lacks).
 */
export function pairwiseHingeLoss(scores: tf.Tensor1D, pairs: RankingPairs, margin = 1): tf.Scalar {
  const B = scores.shape[0];
  const P = pairs.first.length;
  if (P === 0) throw new Error('pairwiseHingeLoss: no pairs (check selectRankingPairs before calling)');
  const d = new Float32Array(P * B);
  for (let k = 0; k < P; k++) {
    d[k * B + pairs.first[k]] += pairs.sign[k];
    d[k * B + pairs.second[k]] -= pairs.sign[k];
  }
  const diff = tf.matMul(tf.tensor2d(d, [P, B]), tf.reshape(scores, [B, 1])); // [P, 1]
  return tf.mean(tf.relu(tf.sub(margin, diff)));
}

/** mean((s - f)^2) over the batch; scores [B], fids [B]. */
export function mseLoss(scores: tf.Tensor1D, fids: ArrayLike<number>): tf.Scalar {
  return tf.mean(tf.squaredDifference(scores, tf.tensor1d(Float32Array.from(fids))));
}
