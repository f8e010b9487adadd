/**
 * Model schedules as denoisers: a compiled schedule routes NFE i to the zoo model the schedule names
 * for it, in the order `evaluations()` gives; a one-model schedule is bit-identical to the plain
 * sampler (DDIM, single-step DPM-Solver, multistep); bad schedules fail with the allowed values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LINEAR_VP } from '../../lib/diffusion/continuous-vp';
import { linearBetaSchedule } from '../../lib/diffusion/noise-schedule';
import { ddimSteps, dpmSolverSteps, evaluations } from '../../lib/schedule/index';
import { ddimSample } from '../../lib/samplers/ddim';
import type { Denoiser } from '../../lib/samplers/denoiser';
import { dpmSolverSample, dpmSolverStepsForNfe, singlestepOrders } from '../../lib/samplers/dpm-solver';
import { dpmSolverMultistepSample, multistepTimes } from '../../lib/samplers/dpm-solver-multistep';
import { compileScheduleDenoiser, singleModelDenoiser } from '../../lib/samplers/schedule-denoiser';

const sched = linearBetaSchedule(1000, 1e-4, 0.02);
const vp = LINEAR_VP;

/** Zoo model m: a smooth, model-dependent eps guess that records every call. */
function toyModel(m: number, log?: { model: number; tInput: number; call: number }[]): Denoiser {
  return (x, tInput, call) => {
    log?.push({ model: m, tInput, call });
    return tf.tidy(() => tf.add(tf.mul(x, 0.2 + 0.05 * m + tInput / 4000), tf.sin(tf.mul(x, m))) as tf.Tensor4D);
  };
}

function noise(): tf.Tensor4D {
  return tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
}

/** The schedule whose steps, in calling order, have these orders, every NFE on `model` (null groups interleaved). */
function dpmEntries(orders: number[], model = 1): number[] {
  const entries: number[] = [];
  for (let i = orders.length - 1; i >= 0; i--) {
    for (let j = 0; j < 3; j++) entries.push(j < orders[i] ? model : 0);
    if (i % 2 === 0) entries.push(0, 0, 0);
  }
  return entries;
}

test('compileScheduleDenoiser rejects missing models and extra calls, naming the allowed values', async () => {
  await tf.setBackend('cpu');
  const zoo = [toyModel(1), toyModel(2)];
  assert.throws(() => compileScheduleDenoiser(zoo, [1, 3]), /NFE 1 names model 3; allowed: 1\.\.2/);
  assert.throws(() => compileScheduleDenoiser(zoo, [0, 1]), /NFE 0 names model 0; allowed: 1\.\.2/);
  assert.throws(() => compileScheduleDenoiser([], [1]), /at least one zoo model/);
  const den = compileScheduleDenoiser(zoo, [2, 1]);
  const xT = noise();
  await assert.rejects(ddimSample(den, xT, [900, 600, 300], sched.alphasCumprod), /network call 2, but the model schedule has 2 NFE\(s\) \(calls 0\.\.1\)/);
  xT.dispose();
});

test('a one-model DDIM schedule is bit-identical to plain DDIM', async () => {
  await tf.setBackend('cpu');
  const entries = new Array(100).fill(0);
  [0, 7, 20, 33, 50, 71, 99].forEach((p) => (entries[p] = 1));
  const calls = evaluations('ddim', entries).map((e) => e.model);
  const ts = ddimSteps(entries).map((s) => s.timestep);
  const xT = noise();
  const plain = await ddimSample(toyModel(1), xT, ts, sched.alphasCumprod, { clipDenoised: true });
  const viaSchedule = await ddimSample(compileScheduleDenoiser([toyModel(1)], calls), xT, ts, sched.alphasCumprod, { clipDenoised: true });
  const viaSingle = await ddimSample(singleModelDenoiser(toyModel(1)), xT, ts, sched.alphasCumprod, { clipDenoised: true });
  assert.ok(plain.dataSync().every(Number.isFinite));
  assert.deepEqual(viaSchedule.dataSync(), plain.dataSync());
  assert.deepEqual(viaSingle.dataSync(), plain.dataSync());
  tf.dispose([xT, plain, viaSchedule, viaSingle]);
});

test('a one-model DPM-Solver schedule is bit-identical to the single-model baseline with the same orders', async () => {
  await tf.setBackend('cpu');
  const xT = noise();
  const cases: [number, { method?: 'singlestep' | 'singlestep_fixed'; order?: number }][] = [
    [12, {}], // DPM-Solver-fast: [3, 3, 3, 2, 1], t_0 = 1e-3
    [16, {}], // [3, 3, 3, 3, 3, 1], t_0 = 1e-4
    [10, { method: 'singlestep_fixed', order: 2 }],
    [9, { method: 'singlestep_fixed', order: 3 }],
  ];
  for (const [n, opts] of cases) {
    const baseline = dpmSolverStepsForNfe(n, opts);
    const entries = dpmEntries(singlestepOrders(n, opts.order ?? 3, opts.method));
    const fromSchedule = dpmSolverSteps(entries);
    assert.deepEqual(fromSchedule.map(({ order, s, t, times }) => ({ order, s, t, times })), baseline, `NFE ${n}: identical steps and times`);
    const calls = evaluations('dpm-solver', entries).map((e) => e.model);
    assert.equal(calls.length, n);
    const plain = await dpmSolverSample(toyModel(1), xT, baseline, vp);
    const viaSchedule = await dpmSolverSample(compileScheduleDenoiser([toyModel(1)], calls), xT, fromSchedule, vp);
    assert.ok(plain.dataSync().every(Number.isFinite));
    assert.deepEqual(viaSchedule.dataSync(), plain.dataSync(), `NFE ${n}: bit-identical samples`);
    tf.dispose([plain, viaSchedule]);
  }
  xT.dispose();
});

test('a two-model DPM-Solver schedule calls its models in the order evaluations() gives', async () => {
  await tf.setBackend('cpu');
  // Groups (left to right): [1,2,0] order 2, null, [2,0,0] order 1, [2,1,1] order 3, [1,2,0] order 2.
  const entries = [1, 2, 0, 0, 0, 0, 2, 0, 0, 2, 1, 1, 1, 2, 0];
  const evs = evaluations('dpm-solver', entries);
  const log: { model: number; tInput: number; call: number }[] = [];
  const den = compileScheduleDenoiser([toyModel(1, log), toyModel(2, log)], evs.map((e) => e.model));
  const xT = noise();
  const out = await dpmSolverSample(den, xT, dpmSolverSteps(entries), vp);
  assert.deepEqual(log, evs.map((e, i) => ({ model: e.model, tInput: e.tInput, call: i })));
  assert.deepEqual(log.map((l) => l.model), [2, 1, 1, 1, 2, 2, 2, 1]);
  // The schedule matters: swapping the models changes the sample.
  const swapped = await dpmSolverSample(compileScheduleDenoiser([toyModel(2), toyModel(1)], evs.map((e) => e.model)), xT, dpmSolverSteps(entries), vp);
  assert.notDeepEqual(swapped.dataSync(), out.dataSync());
  tf.dispose([xT, out, swapped]);
});

test('a two-model DDIM schedule calls its models in the order evaluations() gives', async () => {
  await tf.setBackend('cpu');
  const entries = new Array(20).fill(0);
  entries[19] = 2;
  entries[15] = 1;
  entries[8] = 2;
  entries[3] = 2;
  entries[0] = 1;
  const evs = evaluations('ddim', entries);
  const log: { model: number; tInput: number; call: number }[] = [];
  const den = compileScheduleDenoiser([toyModel(1, log), toyModel(2, log)], evs.map((e) => e.model));
  const xT = noise();
  const out = await ddimSample(den, xT, ddimSteps(entries).map((s) => s.timestep), sched.alphasCumprod);
  assert.deepEqual(log, evs.map((e, i) => ({ model: e.model, tInput: e.tInput, call: i })));
  assert.deepEqual(log.map((l) => [l.model, l.tInput]), [[2, 950], [1, 750], [2, 400], [2, 150], [1, 0]]);
  tf.dispose([xT, out]);
});

test('multistep: one model per step through the call index; a one-model list equals the plain sampler', async () => {
  await tf.setBackend('cpu');
  const times = multistepTimes(6, vp);
  const perStep = [2, 2, 1, 2, 1, 1];
  const log: { model: number; tInput: number; call: number }[] = [];
  const xT = noise();
  for (const algorithm of ['dpmsolver', 'dpmsolver++'] as const) {
    log.length = 0;
    const out = await dpmSolverMultistepSample(compileScheduleDenoiser([toyModel(1, log), toyModel(2, log)], perStep), xT, times, vp, { order: 3, algorithm });
    assert.deepEqual(log, perStep.map((m, i) => ({ model: m, tInput: vp.modelTimeInput(times[i]), call: i })));
    const plain = await dpmSolverMultistepSample(toyModel(1), xT, times, vp, { order: 2, algorithm });
    const one = await dpmSolverMultistepSample(compileScheduleDenoiser([toyModel(1)], new Array(6).fill(1)), xT, times, vp, { order: 2, algorithm });
    assert.ok(plain.dataSync().every(Number.isFinite));
    assert.deepEqual(one.dataSync(), plain.dataSync());
    tf.dispose([out, plain, one]);
  }
  xT.dispose();
});
