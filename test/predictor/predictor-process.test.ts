/**
 * The predictor trained in a child process (how the pipeline trains both solvers' predictors at
 * once): the same files and the same Kendall tau as training in this process, evaluations reported
 * back, and a failure in the child arrives as the child's own message and fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { initBackend } from '../../lib/tfjs/backend';
import { trainExperimentPredictor } from '../../lib/predictor/experiment-predictor';
import { trainExperimentPredictorInChild } from '../../lib/predictor/predictor-process';
import { isKitError } from '../../lib/util/errors';
import { writeSyntheticDdimDataset } from '../collection/synthetic-dataset';
import { tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

test('a predictor trained in a child process equals one trained here; a child failure keeps its message and fix', async () => {
  const root = tempDir('omsdpm-predchild-');
  process.env.OMS_DPM_RESULTS = root;
  process.env.OMS_DPM_BACKEND = 'wasm';
  try {
    await initBackend('wasm');
    const exp = loadExperiment(tiny, { set: ['predictor.epochs=20', 'predictor.evalEvery=10'] });
    writeSyntheticDdimDataset(exp, 40);
    const here = trainExperimentPredictor(exp, 'ddim');
    const dir = path.join(root, 'tiny-mnist', 'predictor-ddim');
    const csvHere = fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8');
    fs.rmSync(dir, { recursive: true });

    const epochs: number[] = [];
    const child = await trainExperimentPredictorInChild(exp, 'ddim', (e) => epochs.push(e.epoch));
    assert.deepEqual(epochs, [10, 20]);
    assert.equal(child.tauValidation, here.tauValidation);
    assert.equal(child.tauTrain, here.tauTrain);
    assert.equal(child.tauSelection, here.tauSelection);
    assert.equal(child.chosenEpoch, here.chosenEpoch);
    assert.equal(fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8'), csvHere);

    // no DPM-Solver dataset: the child's KitError comes back with its fix
    await assert.rejects(trainExperimentPredictorInChild(exp, 'dpm-solver'), (e: unknown) => {
      assert.ok(isKitError(e));
      assert.match(e.message, /training the dpm-solver predictor failed: .*schedule-fid-dpm-solver\.jsonl/);
      assert.match(e.hint ?? '', /collect/);
      return true;
    });
  } finally {
    delete process.env.OMS_DPM_RESULTS;
  }
});
