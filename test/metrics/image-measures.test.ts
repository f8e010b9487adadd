import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMeasures, encodeMeasures, meanIntensities, measureImages } from '../../lib/metrics/image-measures';
import type { FeatureExtractor } from '../../lib/metrics/feature-extractor';

/** A "classifier" over 2 x 2 grey images: feature = the pixels / 255, class probabilities from the mean. */
const toy: FeatureExtractor = {
  kind: 'label-classifier',
  dim: 4,
  describe: () => 'toy',
  async features(images, count) {
    return Float32Array.from(images.subarray(0, count * 4), (v) => v / 255);
  },
  async classProbabilities(images, count) {
    const probs = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) {
      const m = (images[4 * i] + images[4 * i + 1] + images[4 * i + 2] + images[4 * i + 3]) / (4 * 255);
      const k = m < 0.3 ? 0 : m < 0.6 ? 1 : 2;
      probs.set(k === 0 ? [0.8, 0.1, 0.1] : k === 1 ? [0.05, 0.92, 0.03] : [0.3, 0.3, 0.4], 3 * i);
    }
    return { probs, classes: 3 };
  },
  dispose: () => undefined,
};

test('measures: features, top class and probability, mean intensity per image; base64 round trip is exact', async () => {
  const images = Uint8Array.from([0, 0, 0, 51, 255, 255, 0, 0, 255, 255, 255, 255]);
  const m = await measureImages(toy, images, 3, { height: 2, width: 2, channels: 1 });
  assert.deepEqual(Array.from(m.topClass!), [0, 1, 2]);
  assert.deepEqual(Array.from(m.topProb!), [Math.fround(0.8), Math.fround(0.92), Math.fround(0.4)]);
  assert.deepEqual(Array.from(m.meanIntensity), [Math.fround(0.05), Math.fround(0.5), 1]);
  assert.equal(m.features.length, 12);
  const back = decodeMeasures(JSON.parse(JSON.stringify(encodeMeasures(m))));
  assert.deepEqual(back, m);
  const bare = await measureImages({ ...toy, classProbabilities: undefined }, images, 3, { height: 2, width: 2, channels: 1 });
  assert.equal(bare.topClass, null);
  assert.deepEqual(decodeMeasures(encodeMeasures(bare)), bare);
});

test('a corrupt encoding is refused, naming what is wrong', () => {
  const e = encodeMeasures({ count: 2, dim: 1, features: new Float32Array(2), classes: null, topClass: null, topProb: null, meanIntensity: new Float32Array(2) });
  assert.throws(() => decodeMeasures({ ...e, count: 3 }), /features has 2 values, expected 3/);
  assert.throws(() => meanIntensities(new Uint8Array(5), 2, 4), /5 bytes is not 2 images of 4/);
});
