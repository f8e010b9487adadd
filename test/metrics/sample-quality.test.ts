/**
 * The sample-quality numbers (lib/metrics/sample-quality.ts) on hand-made measures with known
 * probabilities, classes and intensities (values exact in float32, so no share hangs on rounding),
 * the joining of chunked measures and the held-out chunks of the report, and the clear error
 * without a label classifier.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { loadExperiment } from '../../lib/config/index';
import { realImageGridFile, realImageQuality, writeRealImageGrid } from '../../lib/evaluation/real-quality';
import { readAll } from '../../lib/metrics/fid-reference';
import { validationData } from '../../lib/zoo/train-zoo';
import { concatMeasures, heldOutChunks } from '../../lib/evaluation/sample-quality-report';
import type { FeatureExtractor } from '../../lib/metrics/feature-extractor';
import { meanIntensities, type ImageMeasures } from '../../lib/metrics/image-measures';
import { intensityRange, percentile, sampleQuality } from '../../lib/metrics/sample-quality';
import { KitError } from '../../lib/util/errors';
import { tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

function measures(topClass: number[] | null, topProb: number[] | null, meanIntensity: number[], classes: number | null, dim = 2): ImageMeasures {
  const count = meanIntensity.length;
  return {
    count,
    dim,
    features: Float32Array.from({ length: count * dim }, (_, i) => i),
    classes,
    topClass: topClass && Int32Array.from(topClass),
    topProb: topProb && Float32Array.from(topProb),
    meanIntensity: Float32Array.from(meanIntensity),
  };
}

// ten images: classes 0..3 (class 3 never drawn), five with top probability >= 0.9,
// intensities against the range [0.125, 0.25]: two below, three above, the bounds themselves inside
const TEN = measures(
  [0, 0, 1, 2, 0, 0, 1, 0, 2, 0],
  [0.9375, 0.875, 0.5, 0.25, 1, 0.96875, 0.90625, 0.75, 0.625, 0.984375],
  [0.0625, 0.125, 0.1875, 0.25, 0.3125, 0.5, 0.15625, 0.21875, 0.75, 0.03125],
  4,
);

test('percentile: linear interpolation between order statistics (numpy default)', () => {
  assert.equal(percentile([3, 1, 2, 4, 5], 25), 2);
  assert.equal(percentile([3, 1, 2, 4, 5], 50), 3);
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} is not ${b}`);
  near(percentile([4, 1, 3, 2], 1), 1.03); // numpy.percentile([1, 2, 3, 4], 1)
  near(percentile([4, 1, 3, 2], 99), 3.97);
  assert.equal(percentile([4, 1, 3, 2], 0), 1);
  assert.equal(percentile([4, 1, 3, 2], 100), 4);
  assert.equal(percentile([7], 50), 7);
  assert.throws(() => percentile([], 50), /percentile of no values/);
});

test('intensityRange: the 1st and 99th percentile of the real mean intensities', () => {
  const xs = Array.from({ length: 101 }, (_, i) => (100 - i) / 100); // 1.00, 0.99, ..., 0.00
  const r = intensityRange(xs);
  assert.equal(r.images, 101);
  assert.ok(Math.abs(r.low - 0.01) < 1e-12 && Math.abs(r.high - 0.99) < 1e-12, JSON.stringify(r));
});

test('sampleQuality: exact shares and counts of ten hand-made images', () => {
  const q = sampleQuality(TEN, { low: 0.125, high: 0.25, images: 100 });
  assert.equal(q.images, 10);
  assert.equal(q.confident, 0.5);
  assert.ok(Math.abs(q.meanTopProbability - 0.7796875) < 1e-12, String(q.meanTopProbability));
  assert.deepEqual(q.classCounts, [6, 2, 2, 0]);
  assert.equal(q.largestClassShare, 0.6);
  assert.equal(q.smallestClassCount, 0);
  assert.equal(q.offRange, 0.5);
  assert.equal(q.tooBright, 0.3);
  // a wider range takes the too-bright images in
  const wide = sampleQuality(TEN, { low: 0, high: 1, images: 100 });
  assert.equal(wide.offRange, 0);
  assert.equal(wide.tooBright, 0);
});

test('meanIntensities: per-image mean of uint8 pixels in [0, 1]', () => {
  const px = Uint8Array.from([0, 255, 255, 255, 51, 51, 51, 51]);
  assert.deepEqual(Array.from(meanIntensities(px, 2, 4)), [Math.fround(0.75), Math.fround(0.2)]);
});

test('concatMeasures joins chunks in order; heldOutChunks cover the held-out range in batch multiples', () => {
  const a = measures([1, 2], [0.5, 0.25], [0.1, 0.2], 3);
  const b = measures([0], [1], [0.3], 3);
  const j = concatMeasures([a, b]);
  assert.equal(j.count, 3);
  assert.deepEqual(Array.from(j.topClass!), [1, 2, 0]);
  assert.deepEqual(Array.from(j.topProb!), [0.5, 0.25, 1]);
  assert.deepEqual(Array.from(j.meanIntensity), [Math.fround(0.1), Math.fround(0.2), Math.fround(0.3)]);
  assert.deepEqual(Array.from(j.features), [0, 1, 2, 3, 0, 1]);
  assert.throws(() => concatMeasures([a, measures(null, null, [0.1], null)]), /cannot be joined/);

  assert.deepEqual(heldOutChunks({ start: 1000, images: 5000 }, 128, 2), [
    ...Array.from({ length: 7 }, (_, i) => ({ start: 1000 + 640 * i, count: 640 })),
    { start: 1000 + 640 * 7, count: 520 },
  ]);
  assert.deepEqual(heldOutChunks({ start: 7, images: 16 }, 8, 1), [{ start: 7, count: 8 }, { start: 15, count: 8 }]);
  assert.deepEqual(heldOutChunks({ start: 0, images: 5 }, 8, 2), [{ start: 0, count: 5 }]);
});

test('without a label classifier: the clear KitError, from sampleQuality and before realImageQuality reads any image', async () => {
  const bare = measures(null, null, [0.1, 0.2], null);
  assert.throws(
    () => sampleQuality(bare, { low: 0, high: 1, images: 2 }),
    (e: unknown) => e instanceof KitError && /needs a label classifier/.test(e.message) && /fid.featureNetwork: label-classifier/.test(e.hint ?? ''),
  );
  const inception: FeatureExtractor = {
    kind: 'tfjs-model',
    dim: 2,
    describe: () => 'a bare feature network',
    features: async () => assert.fail('no image should be featurised'),
    dispose: () => undefined,
  };
  await assert.rejects(realImageQuality(loadExperiment(tiny), inception), (e: unknown) => e instanceof KitError && /needs a label classifier/.test(e.message));
});

test('the real-image grid: the first 64 validation images, 8 to a row, pixel for pixel', () => {
  const dir = tempDir('real-grid-');
  const saved = process.env.OMS_DPM_RESULTS;
  process.env.OMS_DPM_RESULTS = dir;
  try {
    const exp = loadExperiment(tiny);
    const file = writeRealImageGrid(exp);
    assert.equal(file, realImageGridFile(exp));
    assert.equal(path.dirname(file), path.join(dir, exp.config.name));
    const png = PNG.sync.read(fs.readFileSync(file));
    const data = validationData(exp);
    assert.deepEqual([png.width, png.height], [8 * data.width + 9 * 2, 8 * data.height + 9 * 2]);
    const { pixels } = readAll(data, 64);
    // image n sits at tile (n % 8, n / 8), 2 pixels apart; pngjs gives RGBA, grey in every channel
    for (const n of [0, 9, 63]) {
      const [ox, oy] = [2 + (n % 8) * (data.width + 2), 2 + Math.floor(n / 8) * (data.height + 2)];
      for (const [x, y] of [[0, 0], [13, 14], [data.width - 1, data.height - 1]]) {
        assert.equal(png.data[((oy + y) * png.width + ox + x) * 4], pixels[(n * data.height + y) * data.width + x], `image ${n} pixel (${x}, ${y})`);
      }
    }
  } finally {
    if (saved === undefined) delete process.env.OMS_DPM_RESULTS;
    else process.env.OMS_DPM_RESULTS = saved;
  }
});
