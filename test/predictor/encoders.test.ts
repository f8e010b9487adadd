/**
 * The schedule encoders (method doc §5). Checked in the official code,
 * code/predictor/modules/predictor.py (ms_predictor_ddim.forward, ms_predictor_dpm_solver.forward),
 * predictor_utils.py (reorder / gather_active_solver, get_timesteps_for_dpm_solver,
 * get_timesteps_for_ddim), timestep_encoder.py, model_embedder.py, ms_encoder.py,
 * regression_head.py and configs/predictor_*_cifar10*.yml (shift: False, so the LSTM input is
 * 64 + 16 + 64 = 144 and each step embeds t_k of the ascending lambda grid, its end time).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/tfjs/backend';
import {
  PAPER_PREDICTOR_SIZES,
  SchedulePredictor,
  ddimHiddenStates,
  ddimTimesteps,
  dpmSolverHiddenStates,
  dpmSolverSequence,
  dpmStepTimeInputs,
  embed,
  encodeSchedules,
  lstm,
  lstmInputSize,
  lstmWeights,
  predictorConfig,
  predictorParamSpecs,
  reorderActiveGroups,
  timestepEncoder,
} from '../../lib/predictor/index';
import { LINEAR_VP } from '../../lib/diffusion/continuous-vp';
import { dpmSolverSteps, nfe, randomSchedules } from '../../lib/schedule/index';
import { KitError } from '../../lib/util/errors';

before(async () => {
  await initBackend('wasm');
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test('config: the official sizes by default; parameter shapes of both predictors', () => {
  const ddim = predictorConfig({ solver: 'ddim', numModels: 6, length: 100 });
  assert.equal(ddim.modelEmbDim, 32);
  assert.equal(ddim.timeSinusoidDim, 128);
  assert.equal(ddim.timeEmbDim, 64);
  assert.equal(ddim.hiddenSize, 128);
  assert.deepEqual(ddim.headDims, [200, 200, 200]);
  assert.equal(ddim.dpmStepTime, 'end');
  assert.equal(lstmInputSize(ddim), 96);
  const shapes = (c: ReturnType<typeof predictorConfig>) => Object.fromEntries(predictorParamSpecs(c).map((s) => [s.name, s.shape]));
  assert.deepEqual(shapes(ddim), {
    modelEmb: [7, 32],
    'time.fc0.w': [128, 64],
    'time.fc0.b': [64],
    'time.fc1.w': [64, 64],
    'time.fc1.b': [64],
    'lstm.wIh': [96, 512],
    'lstm.wHh': [128, 512],
    'lstm.bIh': [512],
    'lstm.bHh': [512],
    'head.fc0.w': [128, 200],
    'head.fc0.b': [200],
    'head.fc1.w': [200, 200],
    'head.fc1.b': [200],
    'head.fc2.w': [200, 200],
    'head.fc2.b': [200],
    'head.fc3.w': [200, 1],
    'head.fc3.b': [1],
  });
  const dpm = predictorConfig({ solver: 'dpm-solver', numModels: 6, length: 90 });
  assert.equal(lstmInputSize(dpm), 144);
  const s = shapes(dpm);
  assert.deepEqual([s['solver.fc0.w'], s['solver.fc1.w'], s.orderEmb, s['lstm.wIh']], [
    [96, 64],
    [64, 64],
    [4, 16],
    [144, 512],
  ]);
  assert.deepEqual(PAPER_PREDICTOR_SIZES.solverEncoderDims, [64, 64]);
  const bad = (input: Parameters<typeof predictorConfig>[0], re: RegExp) =>
    assert.throws(() => predictorConfig(input), (e: unknown) => e instanceof KitError && re.test(e.message) && !!e.hint);
  bad({ solver: 'dpm-solver', numModels: 6, length: 91 }, /multiple of 3/);
  bad({ solver: 'ddim', numModels: 0, length: 100 }, /numModels/);
  bad({ solver: 'ddim', numModels: 6, length: 100, timeSinusoidDim: 7 }, /even/);
  bad({ solver: 'ddim', numModels: 6, length: 100, headDims: [200, -1] }, /headDims\[1\]/);
});

test('DDIM encoder: L hidden states [B, H]; the factorised input projection equals the literal concat', () => {
  assert.deepEqual(Array.from(ddimTimesteps(100, 1000)).slice(0, 3), [0, 10, 20]);
  assert.equal(ddimTimesteps(100, 1000)[99], 990);
  assert.equal(ddimTimesteps(90, 1000)[89], 89 * 11);
  const sizes = { hiddenSize: 16, headDims: [8] };
  const p = SchedulePredictor.create({ solver: 'ddim', numModels: 4, length: 12, ...sizes }, 3);
  const schedules = randomSchedules('ddim', 5, { length: 12, numModels: 4, seed: 2, nullProb: 0.5 }).map((s) => [...s.entries]);
  const batch = p.prepare(schedules);
  tf.tidy(() => {
    const hs = ddimHiddenStates(p.params, p.config, batch);
    assert.equal(hs.length, 12);
    for (const h of hs) assert.deepEqual(h.shape, [5, 16]);
    // Reference: x[b, i] = concat(modelEmb[m_bi], timeEnc(i * floor(1000 / L))) -> the generic LSTM.
    const modelEmb = embed(tf.tensor1d(batch.models, 'int32'), p.params.get('modelEmb') as tf.Tensor2D); // [B * L, 32]
    const timeEmb = timestepEncoder(tf.tensor1d(ddimTimesteps(12, 1000)), p.params, 128); // [L, 64]
    const x = tf.concat([tf.reshape(modelEmb, [5, 12, 32]), tf.tile(tf.reshape(timeEmb, [1, 12, 64]), [5, 1, 1])], 2) as tf.Tensor3D;
    const want = lstm(x, lstmWeights(p.params)); // [B, L, H]
    assert.ok(maxAbsDiff(tf.stack(hs, 1), want) < 1e-5);
    const pooled = encodeSchedules(p.params, p.config, batch);
    assert.deepEqual(pooled.shape, [5, 16]);
    const norms = tf.norm(pooled, 'euclidean', 1).dataSync();
    for (const n of norms) assert.ok(Math.abs(n - 1) < 1e-5);
    assert.deepEqual(p.forward(batch).shape, [5]);
  });
  p.dispose();
});

test('DPM-Solver inputs: active groups moved to the front in schedule order; orders; official step times', () => {
  // Groups [1,2,0] [0,0,0] [3,0,0] [0,0,0] [2,2,1]: active ones keep their order, empty ones go last.
  const entries = [1, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 2, 2, 1];
  assert.deepEqual(reorderActiveGroups(entries), [1, 2, 0, 3, 0, 0, 2, 2, 1, 0, 0, 0, 0, 0, 0]);
  const p = SchedulePredictor.create({ solver: 'dpm-solver', numModels: 3, length: 15, hiddenSize: 8, headDims: [4] }, 1);
  const batch = p.prepare([entries]);
  assert.deepEqual(Array.from(batch.orders), [2, 1, 3, 0, 0]);
  // The sampler's steps in calling order: the LAST active group first. Reordered step k is calling step n - 1 - k,
  // and the official code embeds the lower end t of its interval (end time), 'start' embeds s.
  const steps = dpmSolverSteps(entries);
  assert.equal(steps.length, 3);
  const n: number = steps.length;
  for (let k = 0; k < n; k++) {
    const step = steps[n - 1 - k];
    assert.equal(step.group, [0, 2, 4][k]);
    assert.ok(Math.abs(batch.stepTimes[k] - LINEAR_VP.modelTimeInput(step.t)) < 1e-3, `step ${k}`);
  }
  assert.deepEqual(Array.from(batch.stepTimes.subarray(3)), [0, 0]);
  const start = dpmStepTimeInputs(n, nfe(entries), predictorConfig({ ...p.config, dpmStepTime: 'start' }));
  for (let k = 0; k < n; k++) assert.ok(Math.abs(start[k] - LINEAR_VP.modelTimeInput(steps[n - 1 - k].s)) < 1e-3);
  assert.ok(Math.abs(start[n - 1] - 999) < 1e-9, 'the first sampling step starts at t = 1, input 999');
  // NFE < 15: t_0 = 1e-3, whose input is 0 (the last sampling step ends at input 0).
  assert.equal(batch.stepTimes[0], 0);
  p.dispose();
});

test('DPM-Solver encoder: sequence [K, B, 144] = [step enc 64 | order emb 16 | time enc 64, zero when inactive]', () => {
  const p = SchedulePredictor.create({ solver: 'dpm-solver', numModels: 6, length: 30, hiddenSize: 16, headDims: [8] }, 5);
  const schedules = randomSchedules('dpm-solver', 4, { length: 30, numModels: 6, seed: 4 }).map((s) => [...s.entries]);
  const batch = p.prepare(schedules);
  const K = 10;
  tf.tidy(() => {
    const seq = dpmSolverSequence(p.params, p.config, batch);
    assert.deepEqual(seq.shape, [K, 4, 144]);
    const rows = seq.arraySync();
    const orderTable = p.params.get('orderEmb')!.arraySync() as number[][];
    let inactive = 0;
    for (let k = 0; k < K; k++) {
      for (let b = 0; b < 4; b++) {
        const order = batch.orders[b * K + k];
        const row = rows[k][b];
        row.slice(64, 80).forEach((v, j) => assert.ok(Math.abs(v - orderTable[order][j]) < 1e-6));
        if (order === 0) {
          inactive++;
          assert.ok(row.slice(80).every((v) => v === 0), 'time embedding masked');
        } else {
          assert.ok(row.slice(80).some((v) => v !== 0));
        }
      }
    }
    assert.ok(inactive > 0);
    const hs = dpmSolverHiddenStates(p.params, p.config, batch);
    assert.equal(hs.length, K);
    const want = lstm(tf.transpose(seq, [1, 0, 2]) as tf.Tensor3D, lstmWeights(p.params));
    assert.ok(maxAbsDiff(tf.stack(hs, 1), want) < 1e-5);
    assert.deepEqual(p.forward(batch).shape, [4]);
  });
  p.dispose();
});
