/**
 * The predictor with storage.weights float16 (test/fixtures/tiny-mnist.yaml, a synthetic DDIM
 * dataset, WASM backend): predictor.bin is stored as float16, and predictions.csv and the taus of
 * metrics.json are those of the stored, rounded weights: scored again from the file alone they are
 * the same, exactly. The same training stored as float32 scores otherwise, so the check can tell
 * the two apart; and a predictor stored in the other precision is not reused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment, type ResolvedExperiment } from '../../lib/config/index';
import { datasetFile } from '../../lib/collection/collect';
import { readDataset } from '../../lib/collection/dataset-file';
import { readTensorFile } from '../../lib/diffusion/tensor-file';
import { kendallTau } from '../../lib/metrics/kendall-tau';
import { loadExperimentPredictor, predictorDir, predictorStaleness, trainExperimentPredictor } from '../../lib/predictor/experiment-predictor';
import { initBackend } from '../../lib/tfjs/backend';
import { writeSyntheticDdimDataset } from '../collection/synthetic-dataset';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');
const SETTINGS = ['predictor.epochs=40', 'predictor.evalEvery=20', 'predictor.learningRate=0.003'];

/** Trains the ddim predictor on 80 synthetic records in `dir`; returns the experiment and its predictions.csv rows. */
function trainIn(dir: string, set: string[]): { exp: ResolvedExperiment; rows: { id: number; split: string; score: number }[] } {
  process.env.OMS_DPM_RESULTS = dir;
  const exp = loadExperiment(tiny, { set: [...SETTINGS, ...set] });
  writeSyntheticDdimDataset(exp, 80);
  trainExperimentPredictor(exp, 'ddim');
  const csv = fs.readFileSync(path.join(predictorDir(exp, 'ddim'), 'predictions.csv'), 'utf8').trim().split('\n').slice(1);
  return { exp, rows: csv.map((l) => l.split(',')).map(([id, split, , score]) => ({ id: Number(id), split, score: Number(score) })) };
}

test('a float16 predictor: predictions.csv and its taus are those of the stored weights', async () => {
  const dir = tempDir('omsdpm-f16-pred-');
  try {
    await initBackend('wasm');
    const { exp, rows } = trainIn(path.join(dir, 'f16'), ['storage.weights=float16']);
    const pdir = predictorDir(exp, 'ddim');
    assert.equal(readTensorFile(path.join(pdir, 'predictor.bin')).dtype, 'float16');

    // scored again from the file alone
    const { records } = readDataset(datasetFile(exp, 'ddim'));
    const stored = loadExperimentPredictor(exp, 'ddim');
    const scores = stored.score(records.map((r) => r.schedule));
    stored.dispose();
    assert.deepEqual(rows.map((r) => r.id), records.map((r) => r.id));
    assert.deepEqual(rows.map((r) => r.score), Array.from(scores));
    const metrics = JSON.parse(fs.readFileSync(path.join(pdir, 'metrics.json'), 'utf8')) as { kendallTau: Record<string, number> };
    const fid = new Map(records.map((r) => [r.id, r.fid]));
    for (const split of ['train', 'selection', 'validation']) {
      const part = rows.filter((r) => r.split === split);
      assert.equal(metrics.kendallTau[split], kendallTau(part.map((r) => r.score), part.map((r) => fid.get(r.id)!)), split);
    }
    assert.equal(predictorStaleness(exp, 'ddim'), null, 'current under float16');
    assert.match(predictorStaleness(loadExperiment(tiny, { set: SETTINGS }), 'ddim') ?? '', /stored as float16, storage.weights is float32/);

    // the same training stored as float32 scores otherwise
    const f32 = trainIn(path.join(dir, 'f32'), []);
    assert.equal(readTensorFile(path.join(predictorDir(f32.exp, 'ddim'), 'predictor.bin')).dtype, 'float32');
    assert.notDeepEqual(f32.rows.map((r) => r.score), rows.map((r) => r.score));
  } finally {
    delete process.env.OMS_DPM_RESULTS;
    removeTempDir(dir);
  }
});
