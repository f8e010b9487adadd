import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { initBackend } from '../../lib/engine/backend';
import { trainExperimentPredictor, loadExperimentPredictor } from '../../lib/predictor/experiment-predictor';
import { isKitError } from '../../lib/util/errors';
import { runSearch, writeSearch } from '../../lib/search/experiment-search';

import { jobFor } from '../../lib/collection/schedule-job';
import { writeSyntheticDdimDataset } from '../collection/synthetic-dataset';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

test('train-predictor on a collected dataset writes predictions.csv, metrics.json with Kendall tau per part (train, selection, validation), and the scatter figure', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-pred-'));
  process.env.OMS_DPM_RESULTS = root;
  try {
    await initBackend('wasm');
    const exp = loadExperiment(tiny, { set: ['predictor.epochs=40', 'predictor.evalEvery=20', 'predictor.learningRate=0.003'] });
    const c = exp.config.collection;
    writeSyntheticDdimDataset(exp, 80);
    const r = trainExperimentPredictor(exp, 'ddim');
    const dir = path.join(root, 'tiny-mnist', 'predictor-ddim');
    const csv = fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'id,split,fid,score');
    assert.equal(csv.length, 81);
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    assert.deepEqual(Object.keys(metrics.kendallTau), ['train', 'selection', 'validation']);
    assert.deepEqual(metrics.kendallTau, { train: r.tauTrain, selection: r.tauSelection, validation: r.tauValidation });
    // the selection part is carved from the training split: ceil(0.2 * n) of its n records
    const splits = csv.slice(1).map((l) => l.split(',')[1]);
    const count = (s: string) => splits.filter((x) => x === s).length;
    assert.deepEqual(metrics.records, { train: count('train'), selection: count('selection'), validation: count('validation') });
    assert.equal(count('selection'), Math.ceil(0.2 * (count('train') + count('selection'))));
    assert.ok(count('validation') > 0);
    assert.equal(metrics.chosenEpoch, r.chosenEpoch);
    assert.equal(metrics.chosenEpoch, metrics.best.epoch);
    assert.ok([20, 40].includes(metrics.chosenEpoch));
    assert.deepEqual(Object.keys(metrics.history[0]), ['epoch', 'loss', 'trainTau', 'selectionTau', 'seconds']);
    assert.ok(r.tauTrain > 0.5, `train tau ${r.tauTrain}`);
    const fig = JSON.parse(fs.readFileSync(path.join(dir, 'scatter.json'), 'utf8'));
    assert.deepEqual(fig.data.map((d: { name: string }) => d.name.split(' ')[0]), ['train', 'selection', 'validation']);
    const p = loadExperimentPredictor(exp, 'ddim');
    assert.equal(p.score([jobFor(c, 'ddim', 2, 1000, 0).schedule]).length, 1);
    p.dispose();
    // the search prices schedules with the engine's latency table and scores them with this predictor
    fs.writeFileSync(path.join(root, 'tiny-mnist', 'latency-tfjs-wasm.json'), JSON.stringify({ models: { a: { medianMs: 10 }, b: { medianMs: 25 } } }));
    const sexp = loadExperiment(tiny, { set: ['search.generations=30'] });
    const run = await runSearch(sexp, 'ddim', 60, 'tfjs-wasm');
    assert.ok(run.population.length > 1);
    for (const ind of run.population) assert.ok(ind.cost <= 60 && ind.schedule.length === c.ddimLength);
    const out = JSON.parse(fs.readFileSync(writeSearch(sexp, 'ddim', run, {}), 'utf8'));
    assert.equal(out.budget, 60);
    await assert.rejects(runSearch(sexp, 'ddim', 5, 'tfjs-wasm'), (e: unknown) => isKitError(e) && /10/.test((e as Error).message));
    assert.throws(() => loadExperimentPredictor(exp, 'dpm-solver'), (e: unknown) => isKitError(e) && /train-predictor/.test((e as Error).message + (e as { hint?: string }).hint));
  } finally {
    delete process.env.OMS_DPM_RESULTS;
  }
});
