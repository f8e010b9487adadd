/**
 * Where the front's support ensemble comes from (lib/front/support-ensemble.ts): real LSTM members,
 * small, trained once and then reused while the training records and settings are the same
 * (nothing trained on the second call), trained again when a record or a kept file changes; and
 * the setting front.supportEnsemble: its default, the KitErrors for bad values, the front inputs
 * it gives and the front stage's key.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { jobFor, splitOf } from '../../lib/collection/schedule-job';
import { loadExperiment } from '../../lib/config/index';
import { checkFrontSettings, defaultFrontSettings, ensureSupportEnsemble, experimentFrontInputs, experimentFrontSettings, supportEnsembleDir, type SupportEnsembleSpec } from '../../lib/front/index';
import { pipelineStages, type StageContext } from '../../lib/pipeline/stages';
import type { EnsembleRecord, PredictorEnsemble } from '../../lib/predictor/ensemble';
import { initBackend } from '../../lib/tfjs/backend';
import { isKitError } from '../../lib/util/errors';
import { tempDir } from './helpers';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');
const LENGTH = 10;
const draws = { ddimLength: LENGTH, dpmSolverLength: 6, dirichletAlpha: 0.4, nullProbability: 0.6, seed: 0, trainRatio: 0.5, splitSeed: 0 };
const schedule = (id: number) => jobFor(draws, 'ddim', 2, 1000, id).schedule;
const fid = (s: readonly number[]) => 100 - 7 * s.filter((m) => m === 2).length - 3 * s.filter((m) => m === 1).length;
const records = (n: number): EnsembleRecord[] => Array.from({ length: n }, (_, id) => ({ id, split: splitOf(draws, id), schedule: schedule(id), fid: fid(schedule(id)) })).filter((r) => r.split === 'train');

const SMALL = { modelEmbDim: 8, timeSinusoidDim: 16, timeEmbDim: 8, hiddenSize: 16, headDims: [16] };
const spec = (dir: string): SupportEnsembleSpec => ({
  members: 3,
  seed: 0,
  member: {
    predictor: { solver: 'ddim', numModels: 2, length: LENGTH, timesteps: 1000, ...SMALL },
    training: { epochs: 1000, batchSize: 512, learningRate: 0.003, loss: 'ranking', evalEvery: 3, selectionFraction: 0.2, seed: 4 },
    epochs: 4,
  },
  processes: 1,
  dir,
});

before(async () => {
  await initBackend('wasm');
});

async function allScores(e: PredictorEnsemble, probe: number[][]): Promise<number[][]> {
  const out: number[][] = [];
  for (let k = 0; k < e.size; k++) out.push(await e.score(k, probe.map((s) => s.slice())));
  return out;
}

test('the support ensemble is trained once, reused while current (nothing trained), retrained when a record or a kept file changes', async () => {
  const dir = path.join(tempDir(), 'support-ensemble');
  const training = records(30);
  const probe = Array.from({ length: 6 }, (_, i) => schedule(300 + i));
  const tensors = tf.memory().numTensors;
  const told: string[] = [];
  const first = await ensureSupportEnsemble(spec(dir), training, (why) => told.push(why));
  assert.equal(first.reused, false);
  assert.equal(first.ensemble.size, 3);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['ensemble.json', 'member-0.bin', 'member-1.bin', 'member-2.bin']);
  assert.match(told[0], /no support ensemble kept/);
  const scores = await allScores(first.ensemble, probe);
  await first.ensemble.release();

  const again = await ensureSupportEnsemble(spec(dir), training, (why) => told.push(why));
  assert.equal(again.reused, true);
  assert.equal(told.length, 1, 'the second call trains nothing');
  const kept = await allScores(again.ensemble, probe);
  kept.forEach((s, k) => s.forEach((v, i) => assert.ok(Math.abs(v - scores[k][i]) <= 1e-6 * Math.max(1, Math.abs(v)), `member ${k}: ${v} vs ${scores[k][i]}`)));
  await again.ensemble.release();

  // one record's FID changed: other records, other members
  const changed = training.map((r, i) => (i === 3 ? { ...r, fid: r.fid + 1 } : r));
  const retrained = await ensureSupportEnsemble(spec(dir), changed, (why) => told.push(why));
  assert.equal(retrained.reused, false);
  assert.match(told[1], /trained on other records or settings/);
  await retrained.ensemble.release();
  // another member count is another key too
  const more = await ensureSupportEnsemble({ ...spec(dir), members: 2 }, changed, (why) => told.push(why));
  assert.equal(more.reused, false);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['ensemble.json', 'member-0.bin', 'member-1.bin'], 'the folder is emptied before training');
  await more.ensemble.release();
  // a kept file that changed is not trusted
  fs.appendFileSync(path.join(dir, 'member-1.bin'), 'x');
  const repaired = await ensureSupportEnsemble({ ...spec(dir), members: 2 }, changed, (why) => told.push(why));
  assert.equal(repaired.reused, false);
  assert.match(told[3], /member-1\.bin is missing or changed/);
  await repaired.ensemble.release();
  assert.equal(tf.memory().numTensors, tensors, 'released members leave no tensors');
});

test('front.supportEnsemble: default 5, 0 or at least 2; a bad value is a KitError naming the key and the values allowed', () => {
  const exp = loadExperiment(tiny);
  assert.equal(exp.config.front.supportEnsemble, 5);
  assert.equal(experimentFrontSettings(exp).supportEnsemble, 5);
  assert.equal(defaultFrontSettings(0).supportEnsemble, 5);
  assert.equal(loadExperiment(tiny, { set: ['front.supportEnsemble=0'] }).config.front.supportEnsemble, 0);
  const bad = (value: string, allowed: RegExp) =>
    assert.throws(() => loadExperiment(tiny, { set: [`front.supportEnsemble=${value}`] }), (e: unknown) => isKitError(e) && /front\.supportEnsemble/.test(e.message) && allowed.test(`${e.message} ${e.hint ?? ''}`), value);
  bad('-1', /int >= 0/);
  bad('2.5', /expected int >= 0/);
  bad('1', /0 \(no spread.*\) or to 2 or more/);
  for (const n of [1, -2, 0.5]) {
    assert.throws(() => checkFrontSettings({ ...defaultFrontSettings(0), supportEnsemble: n }), (e: unknown) => isKitError(e) && /front\.supportEnsemble must be 0 or an integer of at least 2/.test(e.message), String(n));
  }
});

test("the front's inputs: an ensemble source kept under runs/ unless the setting is 0; the front stage's key follows the setting", () => {
  const root = tempDir();
  process.env.OMS_DPM_RESULTS = path.join(root, 'results');
  process.env.OMS_DPM_RUNS = path.join(root, 'runs');
  try {
    const exp = loadExperiment(tiny);
    const off = loadExperiment(tiny, { set: ['front.supportEnsemble=0'] });
    const base = {
      engine: 'test', score: async () => ({ fid: 0, images: 0, engine: '', seconds: 0 }), measure: async () => { throw new Error('not here'); },
      reference: { mu: new Float64Array(1), sigma: new Float64Array(1), dim: 1 }, qualityRange: null, featureNetwork: 'none', provenance: {}, scoreIdentity: 'test',
      latency: [0, 10, 25], budgets: [50],
    };
    const inputs = (e: typeof exp) => experimentFrontInputs(e, 'ddim', { ...base, settings: { ...experimentFrontSettings(e), series: ['best-single-model'] } });
    assert.equal(typeof inputs(exp).supportEnsemble, 'function');
    assert.equal(inputs(off).supportEnsemble, undefined);
    assert.equal(supportEnsembleDir(exp, 'ddim'), path.join(root, 'runs', 'tiny-mnist', 'front-ddim', 'support-ensemble'));

    const front = pipelineStages().find((s) => s.name === 'front-ddim')!;
    const key = (e: typeof exp) => JSON.stringify(front.inputs({ exp: e, engine: { tag: 'tfjs-wasm' } } as unknown as StageContext));
    assert.notEqual(key(exp), key(off));
    assert.notEqual(key(exp), key(loadExperiment(tiny, { set: ['front.supportEnsemble=3'] })));
    // the members' epochs (collection.active.epochs) count only while there are members
    assert.notEqual(key(exp), key(loadExperiment(tiny, { set: ['collection.active.epochs=7'] })));
    assert.equal(key(off), key(loadExperiment(tiny, { set: ['front.supportEnsemble=0', 'collection.active.epochs=7'] })));
  } finally {
    delete process.env.OMS_DPM_RESULTS;
    delete process.env.OMS_DPM_RUNS;
  }
});
