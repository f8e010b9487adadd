import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { initBackend } from '../../lib/tfjs/backend';
import { ensureExperimentPredictor, predictorStaleness, trainExperimentPredictor, loadExperimentPredictor } from '../../lib/predictor/experiment-predictor';
import { isKitError } from '../../lib/util/errors';
import { runSearch, writeSearch } from '../../lib/search/experiment-search';
import { predictorScatterFor } from '../../lib/figures/predictor-figure';

import { jobFor, splitOf } from '../../lib/collection/schedule-job';
import { datasetFile } from '../../lib/collection/collect';
import { appendRecord } from '../../lib/collection/dataset-file';
import { writeSyntheticDdimDataset } from '../collection/synthetic-dataset';
import { tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

test('train-predictor on a collected dataset writes predictions.csv, metrics.json with Kendall tau per part (train, selection, validation), from which the scatter figure is built', async () => {
  const root = tempDir('omsdpm-pred-');
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
    // the figure is built from predictions.csv and metrics.json, not written by the predictor stage
    assert.ok(!fs.existsSync(path.join(dir, 'scatter.json')));
    const fig = predictorScatterFor(exp, 'tiny-mnist', 'ddim')!;
    assert.deepEqual(fig.data.map((d) => String(d.name).split(' ')[0]), ['train', 'selection', 'validation']);
    assert.deepEqual(fig.data.map((d) => (d.x as number[]).length), [count('train'), count('selection'), count('validation')]);
    assert.match(fig.caption, new RegExp(`validation ${r.tauValidation.toFixed(3)}`));
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

test('a current predictor is reused; new settings, more records or other records train it again', async () => {
  const root = tempDir('omsdpm-pred-reuse-');
  process.env.OMS_DPM_RESULTS = root;
  try {
    await initBackend('wasm');
    const exp = loadExperiment(tiny);
    writeSyntheticDdimDataset(exp, 40);
    let trained = 0;
    const train = () => {
      trained++;
      return trainExperimentPredictor(exp, 'ddim');
    };
    assert.match(predictorStaleness(exp, 'ddim')!, /no trained predictor \(predictor\.bin missing\)/);
    const first = await ensureExperimentPredictor(exp, 'ddim', train);
    assert.equal(first.reused, false);
    assert.equal(trained, 1);
    const dir = path.join(root, 'tiny-mnist', 'predictor-ddim');
    const metrics = fs.readFileSync(path.join(dir, 'metrics.json'));
    // current: reused as it is, its numbers read back from metrics.json
    assert.equal(predictorStaleness(exp, 'ddim'), null);
    const again = await ensureExperimentPredictor(exp, 'ddim', train);
    assert.deepEqual([again.reused, again.why, trained], [true, null, 1]);
    assert.deepEqual({ ...again.result, seconds: 0 }, { ...first.result, seconds: 0 });
    assert.deepEqual(fs.readFileSync(path.join(dir, 'metrics.json')), metrics);
    // other predictor settings (not other search settings)
    assert.equal(predictorStaleness(loadExperiment(tiny, { set: ['search.generations=3'] }), 'ddim'), null);
    assert.match(predictorStaleness(loadExperiment(tiny, { set: ['predictor.epochs=6'] }), 'ddim')!, /settings changed \(epochs: 4 -> 6\)/);
    // another dataset: its FID images or feature network, a record more, a record's FID changed
    const file = datasetFile(exp, 'ddim');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('"featureNetwork":"synthetic"', '"featureNetwork":"another"'));
    assert.match(predictorStaleness(exp, 'ddim')!, /another dataset/);
    fs.writeFileSync(file, original);
    const c = exp.config.collection;
    const { schedule } = jobFor(c, 'ddim', 2, 1000, 40);
    appendRecord(file, { id: 40, split: splitOf(c, 40), solver: 'ddim', schedule, fid: 50, costMs: null, nfe: schedule.filter((m) => m > 0).length, images: 64, seed: 0, configHash: exp.hash, engine: 'synthetic', seconds: 0 });
    assert.match(predictorStaleness(exp, 'ddim')!, /records/);
    const lines = original.trim().split('\n');
    const changed = { ...JSON.parse(lines[5]), fid: 1234.5 };
    fs.writeFileSync(file, [...lines.slice(0, 5), JSON.stringify(changed), ...lines.slice(6)].join('\n') + '\n');
    assert.equal(predictorStaleness(exp, 'ddim'), `record ${changed.id} of the dataset is not the one it was trained on`);
    const retrained = await ensureExperimentPredictor(exp, 'ddim', train);
    assert.deepEqual([retrained.reused, trained], [false, 2]);
    assert.match(retrained.why!, /record/);
    assert.equal(predictorStaleness(exp, 'ddim'), null);
    // the default trains in this process
    fs.rmSync(path.join(dir, 'metrics.json'));
    assert.equal((await ensureExperimentPredictor(exp, 'ddim')).reused, false);
    assert.equal(predictorStaleness(exp, 'ddim'), null);
  } finally {
    delete process.env.OMS_DPM_RESULTS;
  }
});
