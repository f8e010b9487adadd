/**
 * The predictor's checkpoint is chosen on a selection part of the training split, never on the
 * validation records it is scored on (train.ts, experiment-predictor.ts): training and the choice
 * are a function of the training split alone, the selection part is a deterministic, disjoint carve
 * of it, and a fraction that leaves a part without a Kendall tau is refused with the fix.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetFile } from '../../lib/collection/collect';
import { appendRecord, openDataset } from '../../lib/collection/dataset-file';
import { jobFor, splitOf } from '../../lib/collection/schedule-job';
import { loadExperiment, type ResolvedExperiment } from '../../lib/config/index';
import { initBackend } from '../../lib/tfjs/backend';
import { carveSelection, trainExperimentPredictor } from '../../lib/predictor/experiment-predictor';
import { loadPredictor } from '../../lib/predictor/checkpoint';
import { isKitError } from '../../lib/util/errors';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

before(async () => {
  await initBackend('wasm');
});

/**
 * `count` DDIM records of the tiny 2-model experiment with the learnable synthetic FID of
 * test/collection/synthetic-dataset.ts (more NFE and the larger model b: lower FID). `planted`
 * reverses that relation on the validation records only: a pattern a predictor would have to
 * learn from the validation records themselves, since the training split contradicts it.
 */
function writeDataset(exp: ResolvedExperiment, count: number, planted: boolean): void {
  const c = exp.config.collection;
  const file = datasetFile(exp, 'ddim');
  openDataset(file, { kind: 'oms-dpm-schedule-fid-dataset', version: 1, experiment: exp.config.name, solver: 'ddim', length: c.ddimLength, numModels: 2, recordKey: 'k', featureNetwork: 'synthetic', images: 64, scheduleSeed: c.seed, splitSeed: c.splitSeed, trainRatio: c.trainRatio });
  for (let id = 0; id < count; id++) {
    const { schedule } = jobFor(c, 'ddim', 2, 1000, id);
    const split = splitOf(c, id);
    const quality = 7 * schedule.filter((m) => m === 2).length + 3 * schedule.filter((m) => m === 1).length;
    const fid = planted && split === 'validation' ? 40 + quality : 100 - quality;
    appendRecord(file, { id, split, solver: 'ddim', schedule, fid, costMs: null, nfe: schedule.filter((m) => m > 0).length, images: 64, seed: 0, configHash: exp.hash, engine: 'synthetic', seconds: 0 });
  }
}

/** Trains the tiny experiment's DDIM predictor in a fresh results folder; its weights, metrics and the run result. */
function trainIn(planted: boolean, set: string[]) {
  const root = tempDir('omsdpm-predsel-');
  process.env.OMS_DPM_RESULTS = root;
  try {
    const exp = loadExperiment(tiny, { set });
    writeDataset(exp, 40, planted);
    const r = trainExperimentPredictor(exp, 'ddim');
    const { predictor } = loadPredictor(path.join(r.dir, 'predictor.bin'));
    const weights = predictor.weights().map((w) => [w.name, Array.from(w.data)]);
    predictor.dispose();
    const metrics = JSON.parse(fs.readFileSync(path.join(r.dir, 'metrics.json'), 'utf8'));
    return { r, weights, metrics };
  } finally {
    delete process.env.OMS_DPM_RESULTS;
    removeTempDir(root);
  }
}

test("a planted validation-only pattern cannot raise the chosen checkpoint's score", () => {
  const set = ['predictor.epochs=20', 'predictor.evalEvery=5', 'predictor.learningRate=0.003'];
  const real = trainIn(false, set);
  const planted = trainIn(true, set);
  // Same seeds, same training split: the same gradient steps, the same evaluations, the same
  // chosen epoch and bit-identical kept weights, whatever the validation records say.
  assert.deepEqual(planted.weights, real.weights, 'bit-identical chosen weights');
  assert.equal(planted.r.chosenEpoch, real.r.chosenEpoch);
  assert.ok(real.r.chosenEpoch !== null && [5, 10, 15, 20].includes(real.r.chosenEpoch));
  const noTime = (h: { epoch: number; loss: number; trainTau: number; selectionTau: number }[]) => h.map((e) => [e.epoch, e.loss, e.trainTau, e.selectionTau]);
  assert.deepEqual(noTime(planted.metrics.history), noTime(real.metrics.history));
  assert.equal(planted.r.tauTrain, real.r.tauTrain);
  assert.equal(planted.r.tauSelection, real.r.tauSelection);
  assert.deepEqual(planted.metrics.records, real.metrics.records);
  // Only the one validation measurement sees the difference: the kept weights rank the real
  // validation records well and the planted (reversed) ones exactly as badly.
  assert.ok(real.r.tauValidation > 0.3, `real validation tau ${real.r.tauValidation}`);
  assert.ok(Math.abs(planted.r.tauValidation + real.r.tauValidation) < 1e-12, `planted ${planted.r.tauValidation}, real ${real.r.tauValidation}`);
  assert.equal(planted.metrics.kendallTau.validation, planted.r.tauValidation);
});

test('the selection part: deterministic in the ids and seed, disjoint from the part trained on, ceil(fraction * n) records', () => {
  const records = Array.from({ length: 50 }, (_, i) => ({ id: 3 * i + 1, tag: `r${i}` }));
  const a = carveSelection(records, 0.2, 0);
  assert.equal(a.selection.length, 10);
  assert.equal(a.fit.length, 40);
  const ids = (rs: { id: number }[]) => rs.map((r) => r.id);
  assert.equal(new Set([...ids(a.fit), ...ids(a.selection)]).size, 50, 'disjoint, and together the whole training split');
  // both parts keep the input order
  assert.deepEqual(ids(a.fit), [...ids(a.fit)].sort((x, y) => x - y));
  assert.deepEqual(ids(a.selection), [...ids(a.selection)].sort((x, y) => x - y));
  // the same call gives the same carve; so does any order of the records (it depends on the ids)
  assert.deepEqual(carveSelection(records, 0.2, 0), a);
  const shuffled = [...records].reverse();
  assert.deepEqual(new Set(ids(carveSelection(shuffled, 0.2, 0).selection)), new Set(ids(a.selection)));
  // not simply the first or last records; another seed carves another part
  assert.notDeepEqual(ids(a.selection), ids(records.slice(0, 10)));
  assert.notDeepEqual(ids(a.selection), ids(records.slice(40)));
  assert.notDeepEqual(ids(carveSelection(records, 0.2, 1).selection), ids(a.selection));
  // (0.1 * 30 is 3.0000000000000004 in floating point: still 3 records)
  assert.equal(carveSelection(records.slice(0, 30), 0.1, 0).selection.length, 3);
  assert.equal(carveSelection(records.slice(0, 6), 0.2, 0).selection.length, 2);
});

test('a selection fraction that leaves either part with fewer than 2 records is refused, naming the key and the fix', () => {
  const records = (n: number) => Array.from({ length: n }, (_, id) => ({ id }));
  const refuses = (n: number, fraction: number, hint: RegExp) =>
    assert.throws(
      () => carveSelection(records(n), fraction, 0),
      (e: unknown) => isKitError(e) && /predictor\.selectionFraction/.test(e.message) && hint.test(e.hint ?? ''),
      `n ${n}, fraction ${fraction}`,
    );
  refuses(5, 0.2, /set predictor\.selectionFraction between 0\.4 and 0\.6 \(e\.g\. --set predictor\.selectionFraction=0\.4\)/); // 1 held back
  refuses(10, 0.9, /between 0\.2 and 0\.8/); // 1 left to train on
  refuses(3, 0.5, /collect more/); // no fraction works
  refuses(10, 0, /0\.2/);
  refuses(10, 1, /0\.2/);
  // the fraction the hint suggests works
  assert.equal(carveSelection(records(5), 0.4, 0).selection.length, 2);
  // the config schema takes only fractions in (0, 1)
  assert.throws(() => loadExperiment(tiny, { set: ['predictor.selectionFraction=1'] }), (e: unknown) => /selectionFraction/.test((e as Error).message));
  assert.equal(loadExperiment(tiny).config.predictor.selectionFraction, 0.2);
  // and the experiment's training refuses it before training
  const root = tempDir('omsdpm-predsel-');
  process.env.OMS_DPM_RESULTS = root;
  try {
    const exp = loadExperiment(tiny, { set: ['predictor.selectionFraction=0.01'] });
    writeDataset(exp, 40, false);
    assert.throws(() => trainExperimentPredictor(exp, 'ddim'), (e: unknown) => isKitError(e) && /predictor\.selectionFraction 0\.01 of \d+ training-split records holds back 1/.test(e.message) && /--set predictor\.selectionFraction=/.test(e.hint ?? ''));
    assert.ok(!fs.existsSync(path.join(root, 'tiny-mnist', 'predictor-ddim', 'predictor.bin')));
  } finally {
    delete process.env.OMS_DPM_RESULTS;
    removeTempDir(root);
  }
});
