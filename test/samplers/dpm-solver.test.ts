/**
 * Single-step DPM-Solver-1/2/3 on Gaussian data with the exact noise predictor (gaussian-data.ts):
 * convergence to the exact probability-flow ODE solution at the solver's order, DPM-Solver-1 = DDIM,
 * the NFE -> steps rules of the reference code, clipping and input checks.
 *
 * Checked against LuChengTHU/dpm-solver dpm_solver_pytorch.py: dpm_solver_first_update,
 * singlestep_dpm_solver_second_update / _third_update (solver_type 'dpmsolver', eps prediction),
 * get_orders_and_timesteps_for_singlestep_solver and the 'singlestep_fixed' branch of sample().
 *
 * Convergence runs use t_T = 1, t_0 = 1e-3 for every NFE (so the exact answer is the same), data
 * std s = 0.5, float32 tensors on the cpu backend. Measured orders (log2 of the error ratio when
 * the NFE doubles; errors are relative L2):
 *   DPM-Solver-1  NFE 40 -> 80: 0.98    DPM-Solver-2  NFE 48 -> 96: 2.05
 *   DPM-Solver-3  NFE 48 -> 96: 3.30,   96 -> 192: 3.07 (approaching 3 from above; error 4.7e-6 at 192,
 *                 still well above the float32 floor of ~1e-7)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LINEAR_VP } from '../../lib/diffusion/continuous-vp';
import { ddimSample } from '../../lib/samplers/ddim';
import type { Denoiser } from '../../lib/samplers/denoiser';
import { dpmSolverSample, dpmSolverStepsForNfe, singlestepOrders, stepTimes } from '../../lib/samplers/dpm-solver';
import { gaussianDenoiser, inSequence, relErrorToOde, X_T } from './gaussian-data';

const vp = LINEAR_VP;
const S = 0.5;
const T_END = 1e-3;

function singlestepError(nfe: number, order: number): Promise<number> {
  const steps = dpmSolverStepsForNfe(nfe, { method: 'singlestep_fixed', order, tEnd: T_END });
  return relErrorToOde((xT) => dpmSolverSample(gaussianDenoiser(vp, S), xT, steps, vp), vp, S, 1, T_END);
}

function measuredOrder(errors: number[]): number {
  return Math.log2(errors[errors.length - 2] / errors[errors.length - 1]);
}

const fmt = (e: number[]) => e.map((x) => x.toExponential(2)).join(', ');

test('step orders for an NFE follow get_orders_and_timesteps_for_singlestep_solver', () => {
  // DPM-Solver-fast (order 3): K = NFE // 3 + 1 steps.
  assert.deepEqual(singlestepOrders(10, 3), [3, 3, 3, 1]);
  assert.deepEqual(singlestepOrders(11, 3), [3, 3, 3, 2]);
  assert.deepEqual(singlestepOrders(12, 3), [3, 3, 3, 2, 1]);
  assert.deepEqual(singlestepOrders(1, 3), [1]);
  assert.deepEqual(singlestepOrders(2, 3), [2]);
  assert.deepEqual(singlestepOrders(3, 3), [2, 1]);
  assert.deepEqual(singlestepOrders(7, 2), [2, 2, 2, 1]);
  assert.deepEqual(singlestepOrders(6, 2), [2, 2, 2]);
  assert.deepEqual(singlestepOrders(4, 1), [1, 1, 1, 1]);
  assert.deepEqual(singlestepOrders(9, 3, 'singlestep_fixed'), [3, 3, 3]);
  for (let n = 1; n <= 40; n++) for (const k of [1, 2, 3]) assert.equal(singlestepOrders(n, k).reduce((a, b) => a + b), n);
  assert.throws(() => singlestepOrders(10, 3, 'singlestep_fixed'), /divisible by 3/);
  assert.throws(() => singlestepOrders(10, 4), /1, 2 or 3/);
  assert.throws(() => singlestepOrders(0, 3), /positive integer/);
  assert.throws(() => singlestepOrders(10, 3, 'adaptive' as never), /singlestep, singlestep_fixed/);
});

test('steps for an NFE: logSNR-uniform outer and inner times, chained, the schedules\' t_0 rule', () => {
  const steps = dpmSolverStepsForNfe(12);
  assert.deepEqual(steps.map((s) => s.order), [3, 3, 3, 2, 1]);
  assert.equal(steps[0].s, 1);
  assert.equal(steps[steps.length - 1].t, 1e-3); // NFE < 15
  assert.equal(dpmSolverStepsForNfe(15).slice(-1)[0].t, 1e-4); // NFE >= 15
  const h = vp.lambda(steps[0].t) - vp.lambda(steps[0].s);
  steps.forEach((st, i) => {
    if (i > 0) assert.equal(st.s, steps[i - 1].t);
    assert.ok(Math.abs(vp.lambda(st.t) - vp.lambda(st.s) - h) < 1e-9, 'equal lambda steps');
    assert.equal(st.times.length, st.order);
    assert.equal(st.times[0], st.s);
    st.times.forEach((u, j) => assert.ok(Math.abs(vp.lambda(u) - vp.lambda(st.s) - (j / st.order) * h) < 1e-9, 'inner r_j = j / k'));
    // Without `times`, the sampler derives the same inner points.
    stepTimes({ order: st.order, s: st.s, t: st.t }, vp).forEach((u, j) => assert.ok(Math.abs(u - st.times[j]) < 1e-12));
  });
  // time_uniform: outer times are the NFE-interval grid at the cumulative orders (reference code).
  const tu = dpmSolverStepsForNfe(10, { skipType: 'time_uniform', tEnd: 0.01 });
  const grid = (i: number) => 1 + (i / 10) * (0.01 - 1);
  assert.deepEqual(tu.map((s) => s.order), [3, 3, 3, 1]);
  [0, 3, 6, 9].forEach((g, i) => assert.ok(Math.abs(tu[i].s - grid(g)) < 1e-12));
  assert.ok(Math.abs(tu[0].times[1] - (1 + (grid(3) - 1) / 3)) < 1e-12, 'inner times uniform in t too');
  assert.throws(() => dpmSolverStepsForNfe(10, { skipType: 'karras' as never }), /logSNR, time_uniform, time_quadratic/);
});

test('DPM-Solver-1 converges to the probability-flow ODE solution at first order', async () => {
  await tf.setBackend('cpu');
  const e = await inSequence([10, 20, 40, 80], (n) => singlestepError(n, 1));
  for (let i = 1; i < e.length; i++) assert.ok(e[i] < e[i - 1], `error must shrink with NFE: ${fmt(e)}`);
  const p = measuredOrder(e);
  assert.ok(p > 0.85 && p < 1.15, `measured order ${p.toFixed(3)} (errors ${fmt(e)})`);
});

test('DPM-Solver-2 converges at second order', async () => {
  await tf.setBackend('cpu');
  const e = await inSequence([12, 24, 48, 96], (n) => singlestepError(n, 2));
  for (let i = 1; i < e.length; i++) assert.ok(e[i] < e[i - 1], `error must shrink with NFE: ${fmt(e)}`);
  const p = measuredOrder(e);
  assert.ok(p > 1.8 && p < 2.3, `measured order ${p.toFixed(3)} (errors ${fmt(e)})`);
});

test('DPM-Solver-3 converges at third order', async () => {
  await tf.setBackend('cpu');
  const e = await inSequence([24, 48, 96, 192], (n) => singlestepError(n, 3));
  for (let i = 1; i < e.length; i++) assert.ok(e[i] < e[i - 1], `error must shrink with NFE: ${fmt(e)}`);
  const p1 = Math.log2(e[1] / e[2]);
  const p2 = measuredOrder(e);
  assert.ok(p1 > 2.7 && p1 < 3.6, `measured order NFE 48->96 ${p1.toFixed(3)} (errors ${fmt(e)})`);
  assert.ok(p2 > 2.7 && p2 < 3.4, `measured order NFE 96->192 ${p2.toFixed(3)} (errors ${fmt(e)})`);
});

test('DPM-Solver-fast (order mix) is more accurate than DPM-Solver-1 and -2 at the same NFE', async () => {
  await tf.setBackend('cpu');
  const fast = await relErrorToOde((xT) => dpmSolverSample(gaussianDenoiser(vp, S), xT, dpmSolverStepsForNfe(24, { tEnd: T_END }), vp), vp, S, 1, T_END);
  assert.ok(fast < (await singlestepError(24, 2)) && fast < (await singlestepError(24, 1)), `fast ${fast}`);
});

test('DPM-Solver-1 equals DDIM (eta 0) on the continuous schedule at the same times (1e-5)', async () => {
  await tf.setBackend('cpu');
  const steps = dpmSolverStepsForNfe(8, { order: 1, tEnd: T_END });
  const times = [...steps.map((s) => s.s), T_END]; // t^(0) > ... > t^(M)
  const M = steps.length;
  // DDIM over fake discrete indices M, M-1, ..., 0 with alpha_bar[M - i] = alpha(t^(i))^2. Its last
  // update (from t^(M) to the clean image) with a zero eps returns x_{t^(M)} / alpha(t^(M)).
  const alphaBar = times.map((_, k) => vp.alpha(times[M - k]) ** 2);
  const gauss = gaussianDenoiser(vp, S);
  const ddimDen: Denoiser = (x, index) => (index === 0 ? tf.zerosLike(x) : gauss(x, vp.modelTimeInput(times[M - index]), 0));
  const xT = tf.tensor4d(X_T, [1, 2, 2, 1]);
  const ddim = await ddimSample(ddimDen, xT, times.map((_, i) => M - i), alphaBar);
  const dpm = await dpmSolverSample(gauss, xT, steps, vp);
  const a = ddim.dataSync();
  const b = dpm.dataSync();
  const scale = vp.alpha(T_END);
  a.forEach((v, i) => assert.ok(Math.abs(v * scale - b[i]) < 1e-5 * Math.max(1, Math.abs(b[i])), `pixel ${i}: DDIM ${v * scale} vs DPM-Solver-1 ${b[i]}`));
  tf.dispose([xT, ddim, dpm]);
});

test('NFE count and call indices: one call per NFE, numbered 0..NFE-1, at the steps\' evaluation times', async () => {
  await tf.setBackend('cpu');
  const steps = dpmSolverStepsForNfe(11);
  const seen: [number, number][] = [];
  const den: Denoiser = (x, tInput, call) => {
    seen.push([call, tInput]);
    return tf.mul(x, 0.1) as tf.Tensor4D;
  };
  const xT = tf.tensor4d(X_T, [1, 2, 2, 1]);
  const before = tf.memory().numTensors;
  const out = await dpmSolverSample(den, xT, steps, vp);
  assert.equal(tf.memory().numTensors, before + 1, 'only the result survives');
  assert.deepEqual(seen, steps.flatMap((s) => s.times).map((u, i) => [i, vp.modelTimeInput(u)]));
  tf.dispose([xT, out]);
});

test('clipDenoised keeps predicted x0 in [-1, 1]; off by default', async () => {
  await tf.setBackend('cpu');
  const zero: Denoiser = (x) => tf.zerosLike(x); // claims no noise: x0_hat = x_t / alpha_t, far outside [-1, 1]
  const xT = tf.tensor4d([3, -3, 0.5, -0.5], [1, 2, 2, 1]);
  for (const order of [1, 2, 3]) {
    const steps = dpmSolverStepsForNfe(6, { method: 'singlestep_fixed', order });
    const clipped = await dpmSolverSample(zero, xT, steps, vp, { clipDenoised: true });
    // At t_0 = 1e-3, x = alpha x0 + sigma eps with sigma ~ 0.045: close to [-1, 1].
    for (const v of clipped.dataSync()) assert.ok(Math.abs(v) <= 1.1, `order ${order}: value ${v} outside [-1.1, 1.1]`);
    const raw = await dpmSolverSample(zero, xT, steps, vp);
    assert.ok(Math.max(...raw.dataSync().map(Math.abs)) > 10, 'without clipping the prediction runs away');
    tf.dispose([clipped, raw]);
  }
  xT.dispose();
});

test('bad steps are rejected with the allowed values', async () => {
  await tf.setBackend('cpu');
  const xT = tf.tensor4d(X_T, [1, 2, 2, 1]);
  const den: Denoiser = (x) => tf.mul(x, 0.1) as tf.Tensor4D;
  await assert.rejects(dpmSolverSample(den, xT, [{ order: 4, s: 1, t: 0.5 }], vp), /order must be 1, 2 or 3, got 4/);
  await assert.rejects(dpmSolverSample(den, xT, [{ order: 1, s: 0.5, t: 0.6 }], vp), /s > t > 0/);
  await assert.rejects(dpmSolverSample(den, xT, [{ order: 1, s: 1, t: 0.5 }, { order: 1, s: 0.4, t: 0.1 }], vp), /starts at s = 0.4 but step 0 ended at t = 0.5/);
  await assert.rejects(dpmSolverSample(den, xT, [{ order: 2, s: 1, t: 0.5, times: [1] }], vp), /times must be 2 decreasing/);
  await assert.rejects(dpmSolverSample(den, xT, [], vp), /at least one step/);
  const wrongShape: Denoiser = () => tf.zeros([1, 1, 1, 1]) as tf.Tensor4D;
  await assert.rejects(dpmSolverSample(wrongShape, xT, [{ order: 1, s: 1, t: 0.5 }], vp), /returned shape \[1,1,1,1\], expected the input's \[1,2,2,1\]/);
  xT.dispose();
});
