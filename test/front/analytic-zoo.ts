/**
 * A "zoo" without training for tests of whole fronts: model m predicts eps = x * k_m (cheap,
 * deterministic, different per model), and a feature extractor of pixel statistics, so FIDs go
 * through the real sampler path (scoreSchedule) in milliseconds.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedExperiment } from '../../lib/config/index';
import type { FidContext } from '../../lib/evaluation/schedule-fid';
import type { FeatureExtractor } from '../../lib/metrics/feature-extractor';
import type { Denoiser } from '../../lib/samplers/denoiser';

/** Per image: mean, standard deviation and share of bright pixels. */
export const pixelStats: FeatureExtractor = {
  kind: 'label-classifier',
  dim: 3,
  describe: () => 'pixel statistics (test)',
  async features(images, count, h, w, c) {
    const d = h * w * c;
    const out = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) {
      const px = images.subarray(i * d, (i + 1) * d);
      const mean = px.reduce((a, b) => a + b, 0) / d;
      const sd = Math.sqrt(px.reduce((a, b) => a + (b - mean) ** 2, 0) / d);
      out.set([mean / 255, sd / 255, px.filter((v) => v > 128).length / d], i * 3);
    }
    return out;
  },
  dispose: () => undefined,
};

/** Model m predicts eps = x * k: cheap, deterministic, and different per model. */
export const analytic = (k: number): Denoiser => (x) => tf.tidy(() => tf.mul(x, k) as tf.Tensor4D);

/** Two analytic models (k = 0.3 and 0.6) scored with pixel statistics against a fixed reference. */
export function analyticFidContext(exp: ResolvedExperiment): FidContext {
  return { exp, models: [analytic(0.3), analytic(0.6)], engine: 'tfjs-wasm', extractor: pixelStats, reference: { mu: new Float64Array([0.3, 0.3, 0.2]), sigma: new Float64Array([0.01, 0, 0, 0, 0.01, 0, 0, 0, 0.01]), dim: 3 } };
}
