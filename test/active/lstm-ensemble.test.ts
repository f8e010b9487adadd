/**
 * The LSTM predictor ensemble of active collection (lib/predictor/lstm-ensemble.ts), small: members
 * trained on their bootstrap resamples score every schedule with a finite number, differ from each
 * other, are the same when a round is trained again (a rerun that must retrain gets the same
 * plan), leave no tensors behind once released, and drive the active loop to the end on a small
 * analytic oracle.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { runActiveCollection, type ActiveRecord } from '../../lib/active/active-loop';
import { memoryPlanStore } from '../../lib/active/active-plan';
import { lstmEnsembleTrainer, type LstmEnsembleOptions } from '../../lib/predictor/lstm-ensemble';
import { jobFor, splitOf } from '../../lib/collection/schedule-job';
import { initBackend } from '../../lib/tfjs/backend';

const LENGTH = 10;
const draws = { ddimLength: LENGTH, dpmSolverLength: 6, dirichletAlpha: 0.4, nullProbability: 0.6, seed: 0, trainRatio: 0.5, splitSeed: 0 };
const randomSchedule = (id: number) => jobFor(draws, 'ddim', 2, 1000, id).schedule;
const splitOfId = (id: number) => splitOf(draws, id);
/** A learnable FID: the big model helps more than the small one, every step helps. */
const fid = (s: readonly number[]) => 100 - 7 * s.filter((m) => m === 2).length - 3 * s.filter((m) => m === 1).length;
const record = (id: number, schedule = randomSchedule(id)): ActiveRecord => ({ id, split: splitOfId(id), schedule, fid: fid(schedule) });

const SMALL = { modelEmbDim: 8, timeSinusoidDim: 16, timeEmbDim: 8, hiddenSize: 16, headDims: [16] };
const options: LstmEnsembleOptions = {
  predictor: { solver: 'ddim', numModels: 2, length: LENGTH, timesteps: 1000, ...SMALL },
  training: { epochs: 1000, batchSize: 512, learningRate: 0.003, loss: 'ranking', evalEvery: 3, selectionFraction: 0.2, seed: 4 },
  epochs: 6,
};

before(async () => {
  await initBackend('wasm');
});

test('members trained on their own resamples score finitely, disagree, retrain identically and release their tensors', async () => {
  const training = Array.from({ length: 16 }, (_, id) => record(id));
  const probe = Array.from({ length: 12 }, (_, i) => randomSchedule(100 + i));
  const tensors = tf.memory().numTensors;
  const train = lstmEnsembleTrainer(options);
  const a = await train(training, { round: 1, members: 3, seed: 7 });
  assert.equal(a.size, 3);
  const scores: number[][] = [];
  for (let k = 0; k < a.size; k++) scores.push(await a.score(k, probe.map((s) => s.slice())));
  for (const s of scores) assert.ok(s.length === probe.length && s.every(Number.isFinite));
  assert.notDeepEqual(scores[0], scores[1], 'members differ');
  await a.release();
  assert.equal(tf.memory().numTensors, tensors, 'released members leave no tensors');
  const again = await train(training, { round: 1, members: 3, seed: 7 });
  for (let k = 0; k < again.size; k++) {
    const s = await again.score(k, probe.map((x) => x.slice()));
    s.forEach((v, i) => assert.ok(Math.abs(v - scores[k][i]) <= 1e-5 * Math.max(1, Math.abs(v)), `member ${k} retrained: ${v} vs ${scores[k][i]}`));
  }
  await again.release();
  const other = await train(training, { round: 2, members: 1, seed: 7 });
  assert.notDeepEqual(await other.score(0, probe.map((x) => x.slice())), scores[0], 'another round resamples and initialises anew');
  await other.release();
});

test('the active loop runs to the end with the LSTM ensemble', async () => {
  const plan = memoryPlanStore();
  const r = await runActiveCollection<ActiveRecord>({
    solver: 'ddim', length: LENGTH, numModels: 2, latency: [0, 1, 3], budgets: [4, 12], count: 20,
    settings: { ensembleSize: 2, initialRecords: 4, perRound: 3, acquisition: 'thompson', seed: 1 },
    search: { generations: 10 },
    randomSchedule, splitOf: splitOfId, records: [],
    score: async (jobs) => jobs.map((j) => record(j.id, j.schedule)),
    train: lstmEnsembleTrainer(options),
    plan,
  });
  assert.deepEqual(r.records.map((x) => x.id), Array.from({ length: 20 }, (_, i) => i));
  const rounds = plan.read()!.rounds;
  assert.ok(rounds.length >= 2);
  for (const round of rounds) for (const c of round.chosen) assert.ok(c.member !== null && [4, 12].includes(c.budget!), `round ${round.round} record ${c.id} came from a member's search`);
});

test('members trained side by side in child processes equal the members trained in this process', async () => {
  const training = Array.from({ length: 12 }, (_, id) => record(id));
  const probe = Array.from({ length: 8 }, (_, i) => randomSchedule(200 + i));
  const here = await lstmEnsembleTrainer(options)(training, { round: 3, members: 2, seed: 9 });
  const children = await lstmEnsembleTrainer({ ...options, processes: 2 })(training, { round: 3, members: 2, seed: 9 });
  for (let k = 0; k < 2; k++) {
    const a = await here.score(k, probe.map((s) => s.slice()));
    const b = await children.score(k, probe.map((s) => s.slice()));
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-5 * Math.max(1, Math.abs(v)), `member ${k}: ${v} here, ${b[i]} in a child`));
  }
  await here.release();
  await children.release();
});
