/**
 * The FID reference with storage.weights float16 (test/fixtures/tiny-mnist.yaml, WASM backend):
 * feature-net.bin is stored as float16, and what fid-reference computes from the network it just
 * trained comes from the stored, rounded weights: the reference statistics and the test accuracy
 * recomputed from the file alone are the recorded ones, exactly. The same training stored as
 * float32 gives other statistics, so the check can tell the two apart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment, type ResolvedExperiment } from '../../lib/config/index';
import { loadDataset } from '../../lib/data/registry';
import { readTensorFile } from '../../lib/diffusion/tensor-file';
import { loadLabelClassifier, type FeatureNetMeta } from '../../lib/metrics/feature-extractor';
import { evaluateAccuracy } from '../../lib/metrics/feature-network-training';
import { ensureFidReference, fidPaths, readAll, referenceKey } from '../../lib/metrics/fid-reference';
import { readStatsNpz } from '../../lib/metrics/fid-stats-file';
import { featureStats } from '../../lib/metrics/frechet-distance';
import { initBackend } from '../../lib/tfjs/backend';
import { trainingData } from '../../lib/zoo/train-zoo';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

/** Builds the experiment's FID reference in `dir`; returns the experiment. */
async function referenceIn(dir: string, set: string[]): Promise<ResolvedExperiment> {
  process.env.OMS_DPM_RESULTS = path.join(dir, 'results');
  const exp = loadExperiment(tiny, { set });
  (await ensureFidReference(exp)).extractor.dispose();
  return exp;
}

test('a float16 FID feature network: its reference statistics and accuracy are those of the stored weights', async () => {
  const dir = tempDir('omsdpm-f16-fid-');
  try {
    await initBackend('wasm');
    const exp = await referenceIn(path.join(dir, 'f16'), ['storage.weights=float16']);
    const p = fidPaths(exp);
    const file = readTensorFile<FeatureNetMeta>(p.featureNet);
    assert.equal(file.dtype, 'float16');
    assert.notEqual(referenceKey(exp), referenceKey(loadExperiment(tiny)), 'float16 is part of the reference key');

    // the statistics, recomputed from the file alone
    const extractor = loadLabelClassifier(p.featureNet);
    const train = trainingData(exp);
    const { pixels, count } = readAll(train, exp.config.fid.referenceImages);
    const stats = featureStats(await extractor.features(pixels, count, train.height, train.width, train.channels), count, extractor.dim);
    extractor.dispose();
    const recorded = readStatsNpz(p.stats);
    assert.deepEqual(recorded.mu, stats.mu);
    assert.deepEqual(recorded.sigma, stats.sigma);

    // the accuracy stored with the weights, measured again on the weights from the file
    const params = Object.fromEntries([...file.arrays].map(([name, a]) => [name, tf.tensor(a.data, a.shape)]));
    const d = exp.config.dataset;
    const accuracy = await evaluateAccuracy(params, loadDataset(d.name, { root: d.root, part: 'test', imageSize: d.imageSize }));
    tf.dispose(Object.values(params));
    assert.equal(file.meta.testAccuracy, accuracy);

    // the same training stored as float32 has other statistics
    const exp32 = await referenceIn(path.join(dir, 'f32'), []);
    assert.equal(readTensorFile(fidPaths(exp32).featureNet).dtype, 'float32');
    assert.notDeepEqual(readStatsNpz(fidPaths(exp32).stats).mu, recorded.mu);
  } finally {
    delete process.env.OMS_DPM_RESULTS;
    removeTempDir(dir);
  }
});
