import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { initBackend } from '../../lib/engine/backend';
import { appendRecord, openDataset } from '../../lib/collection/dataset-file';
import { datasetFile } from '../../lib/collection/collect';
import { jobFor, splitOf } from '../../lib/collection/schedule-job';
import { trainExperimentPredictor, loadExperimentPredictor } from '../../lib/predictor/experiment-predictor';
import { isKitError } from '../../lib/util/errors';
import { runSearch, writeSearch } from '../../lib/search/experiment-search';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

test('train-predictor on a collected dataset writes predictions.csv, metrics.json with Kendall tau per split, and the scatter figure', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-pred-'));
  process.env.OMS_DPM_RESULTS = root;
  try {
    await initBackend('wasm');
    const exp = loadExperiment(tiny, { set: ['predictor.epochs=40', 'predictor.evalEvery=20', 'predictor.learningRate=0.003'] });
    const c = exp.config.collection;
    const file = datasetFile(exp, 'ddim');
    openDataset(file, { kind: 'oms-dpm-schedule-fid-dataset', version: 1, experiment: 'tiny-mnist', solver: 'ddim', length: c.ddimLength, numModels: 2, recordKey: 'k', featureNetwork: 'synthetic', images: 64, scheduleSeed: c.seed, splitSeed: c.splitSeed, trainRatio: c.trainRatio });
    // A synthetic, learnable FID: fewer NFE and the small model cost quality.
    for (let id = 0; id < 80; id++) {
      const { schedule } = jobFor(c, 'ddim', 2, 1000, id);
      const fid = 100 - 7 * schedule.filter((m) => m === 2).length - 3 * schedule.filter((m) => m === 1).length;
      appendRecord(file, { id, split: splitOf(c, id), solver: 'ddim', schedule, fid, costMs: null, nfe: schedule.filter((m) => m > 0).length, images: 64, seed: 0, configHash: exp.hash, engine: 'synthetic', seconds: 0 });
    }
    const r = trainExperimentPredictor(exp, 'ddim');
    const dir = path.join(root, 'tiny-mnist', 'predictor-ddim');
    const csv = fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'id,split,fid,score');
    assert.equal(csv.length, 81);
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    assert.deepEqual(Object.keys(metrics.kendallTau), ['train', 'validation']);
    assert.equal(metrics.kendallTau.validation, r.tauValidation);
    assert.ok(r.tauTrain > 0.5, `train tau ${r.tauTrain}`);
    const fig = JSON.parse(fs.readFileSync(path.join(dir, 'scatter.json'), 'utf8'));
    assert.equal(fig.data.length, 2);
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
