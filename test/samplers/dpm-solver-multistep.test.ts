/**
 * Multistep DPM-Solver (eps form) and DPM-Solver++ (data form) on Gaussian data with the exact
 * noise predictor: convergence order, warm-up / lower_order_final, time grids, call indices, clipping.
 *
 * Checked against LuChengTHU/dpm-solver dpm_solver_pytorch.py: get_time_steps,
 * multistep_dpm_solver_second_update / _third_update (solver_type 'dpmsolver') and the 'multistep'
 * branch of sample() (warm-up, lower_order_final for < 10 steps, no NFE at the final time).
 *
 * t_T = 1, t_0 = 1e-3, data std s = 0.5, float32 on the cpu backend. Measured orders (log2 of the
 * error ratio when the NFE doubles), logSNR-uniform grid unless noted:
 *   order 1 (both forms)     NFE 40 -> 80: 0.98
 *   DPM-Solver-2M            NFE 40 -> 80: 1.99      DPM-Solver++(2M)   NFE 40 -> 80: 1.98
 *   3M, reference D2         NFE 80 -> 160: 2.01 (eps), 2.06 (++): the reference formula is second order
 *   3M, 'taylor' D2          lambda-warped grid NFE 40 -> 80: 3.07 (eps), 3.23 (++); 80 -> 160: 2.94, 3.06;
 *                            on the uniform logSNR grid it superconverges (3.7-4.0 at NFE 20 -> 80).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LINEAR_VP } from '../../lib/diffusion/continuous-vp';
import type { Denoiser } from '../../lib/samplers/denoiser';
import { dpmSolverSample, dpmSolverStepsForNfe } from '../../lib/samplers/dpm-solver';
import {
  MultistepOptions,
  dpmSolverMultistepSample,
  dpmSolverPlusPlusSample,
  multistepOrders,
  multistepTimes,
} from '../../lib/samplers/dpm-solver-multistep';
import { gaussianDenoiser, inSequence, relErrorToOde, X_T } from './gaussian-data';

const vp = LINEAR_VP;
const S = 0.5;
const T_END = 1e-3;

/** A grid smoothly non-uniform in lambda: lambda_i = lambda_T + (lambda_0 - lambda_T) w(i / n), w(u) = u + 0.4 u (1 - u). */
function warpedTimes(n: number): number[] {
  const lT = vp.lambda(1);
  const l0 = vp.lambda(T_END);
  return Array.from({ length: n + 1 }, (_, i) => {
    const u = i / n;
    return i === 0 ? 1 : i === n ? T_END : vp.inverseLambda(lT + (l0 - lT) * (u + 0.4 * u * (1 - u)));
  });
}

function multistepError(nfe: number, opts: MultistepOptions, grid: (n: number) => number[] = (n) => multistepTimes(n, vp, 1, T_END)): Promise<number> {
  return relErrorToOde((xT) => dpmSolverMultistepSample(gaussianDenoiser(vp, S), xT, grid(nfe), vp, opts), vp, S, 1, T_END);
}

function orders(errors: number[]): number[] {
  return errors.slice(1).map((e, i) => Math.log2(errors[i] / e));
}

const fmt = (e: number[]) => e.map((x) => x.toExponential(2)).join(', ');

function assertOrder(label: string, e: number[], lo: number, hi: number, from = e.length - 2): void {
  for (let i = 1; i < e.length; i++) assert.ok(e[i] < e[i - 1], `${label}: error must shrink with NFE: ${fmt(e)}`);
  orders(e).slice(from).forEach((p) => assert.ok(p > lo && p < hi, `${label}: measured order ${p.toFixed(3)} not in (${lo}, ${hi}); errors ${fmt(e)}`));
}

test('multistep orders: lower-order warm-up, lower_order_final below 10 steps (reference sample())', () => {
  assert.deepEqual(multistepOrders(5, 3), [1, 2, 3, 2, 1]);
  assert.deepEqual(multistepOrders(5, 3, false), [1, 2, 3, 3, 3]);
  assert.deepEqual(multistepOrders(9, 2), [1, 2, 2, 2, 2, 2, 2, 2, 1]);
  assert.deepEqual(multistepOrders(10, 2), [1, ...new Array(9).fill(2)]);
  assert.deepEqual(multistepOrders(12, 3), [1, 2, ...new Array(10).fill(3)]);
  assert.deepEqual(multistepOrders(3, 1), [1, 1, 1]);
  assert.throws(() => multistepOrders(5, 4), /1, 2 or 3, got 4/);
});

test('multistep time grids: logSNR / time_uniform / time_quadratic, exact end points, the t_0 rule', () => {
  const ls = multistepTimes(8, vp, 1, 1e-3, 'logSNR');
  assert.equal(ls.length, 9);
  assert.equal(ls[0], 1);
  assert.equal(ls[8], 1e-3);
  const dl = vp.lambda(ls[1]) - vp.lambda(ls[0]);
  ls.forEach((t, i) => assert.ok(Math.abs(vp.lambda(t) - vp.lambda(1) - i * dl) < 1e-9));
  multistepTimes(4, vp, 1, 0.2, 'time_uniform').forEach((t, i) => assert.ok(Math.abs(t - [1, 0.8, 0.6, 0.4, 0.2][i]) < 1e-12));
  multistepTimes(2, vp, 1, 0.25, 'time_quadratic').forEach((t, i) => assert.ok(Math.abs(t - [1, 0.5625, 0.25][i]) < 1e-12));
  assert.equal(multistepTimes(14).slice(-1)[0], 1e-3);
  assert.equal(multistepTimes(15).slice(-1)[0], 1e-4);
  assert.throws(() => multistepTimes(5, vp, 1, 1e-3, 'karras' as never), /allowed: logSNR, time_uniform, time_quadratic/);
  assert.throws(() => multistepTimes(0), /positive integer/);
});

test('order 1: DPM-Solver and DPM-Solver++ are both DDIM, bit-identical to single-step DPM-Solver-1 / within 1e-5', async () => {
  await tf.setBackend('cpu');
  const steps = dpmSolverStepsForNfe(10, { order: 1 });
  const times = [...steps.map((s) => s.s), steps[steps.length - 1].t];
  const den = gaussianDenoiser(vp, S);
  const xT = tf.tensor4d(X_T, [1, 2, 2, 1]);
  const single = (await dpmSolverSample(den, xT, steps, vp)).dataSync();
  const eps = await dpmSolverMultistepSample(den, xT, times, vp, { order: 1 });
  const data = await dpmSolverPlusPlusSample(den, xT, times, vp, { order: 1 });
  assert.deepEqual(eps.dataSync(), single);
  data.dataSync().forEach((v, i) => assert.ok(Math.abs(v - single[i]) < 1e-5 * Math.max(1, Math.abs(single[i])), `pixel ${i}: ${v} vs ${single[i]}`));
  tf.dispose([xT, eps, data]);
});

test('order 1 (both forms) converges at first order', async () => {
  await tf.setBackend('cpu');
  for (const algorithm of ['dpmsolver', 'dpmsolver++'] as const) {
    assertOrder(`${algorithm} order 1`, await inSequence([10, 20, 40, 80], (n) => multistepError(n, { order: 1, algorithm })), 0.85, 1.15);
  }
});

test('DPM-Solver-2M and DPM-Solver++(2M) converge at second order', async () => {
  await tf.setBackend('cpu');
  for (const algorithm of ['dpmsolver', 'dpmsolver++'] as const) {
    assertOrder(`${algorithm} 2M`, await inSequence([10, 20, 40, 80], (n) => multistepError(n, { order: 2, algorithm })), 1.8, 2.2);
  }
  // The wrapper is the same solver.
  const xT = tf.tensor4d(X_T, [1, 2, 2, 1]);
  const a = await dpmSolverPlusPlusSample(gaussianDenoiser(vp, S), xT, multistepTimes(12, vp, 1, T_END), vp);
  const b = await dpmSolverMultistepSample(gaussianDenoiser(vp, S), xT, multistepTimes(12, vp, 1, T_END), vp, { order: 2, algorithm: 'dpmsolver++' });
  assert.deepEqual(a.dataSync(), b.dataSync());
  tf.dispose([xT, a, b]);
});

test('3M with the reference D2 is globally second order; with the Taylor D2 third order', async () => {
  await tf.setBackend('cpu');
  for (const algorithm of ['dpmsolver', 'dpmsolver++'] as const) {
    const ref = await inSequence([20, 40, 80, 160], (n) => multistepError(n, { order: 3, algorithm }));
    assertOrder(`${algorithm} 3M reference`, ref, 1.8, 2.3);
    // Non-uniform lambda steps: the generic third-order behaviour.
    const taylor = await inSequence([20, 40, 80, 160], (n) => multistepError(n, { order: 3, algorithm, thirdOrder: 'taylor' }, warpedTimes));
    assertOrder(`${algorithm} 3M taylor (warped grid)`, taylor, 2.7, 3.4, 1);
    // Uniform logSNR steps: at least third order (the leading error term cancels there).
    const uniform = await inSequence([20, 40, 80], (n) => multistepError(n, { order: 3, algorithm, thirdOrder: 'taylor' }));
    assertOrder(`${algorithm} 3M taylor (logSNR grid)`, uniform, 2.8, 4.6);
    // And the reference 3M still beats 2M at the same NFE.
    assert.ok(ref[2] < (await multistepError(80, { order: 2, algorithm })), `${algorithm}: 3M ${ref[2]} vs 2M at NFE 80`);
  }
  await assert.rejects(multistepError(10, { order: 3, thirdOrder: 'exact' as never }), /allowed: reference, taylor/);
});

test('one NFE per step: call i evaluates times[i], the final time is never evaluated', async () => {
  await tf.setBackend('cpu');
  const times = multistepTimes(7, vp);
  for (const algorithm of ['dpmsolver', 'dpmsolver++'] as const) {
    const seen: [number, number][] = [];
    const den: Denoiser = (x, tInput, call) => {
      seen.push([call, tInput]);
      return tf.mul(x, 0.1) as tf.Tensor4D;
    };
    const xT = tf.tensor4d(X_T, [1, 2, 2, 1]);
    const before = tf.memory().numTensors;
    const out = await dpmSolverMultistepSample(den, xT, times, vp, { order: 3, algorithm });
    assert.equal(tf.memory().numTensors, before + 1, 'only the result survives');
    assert.deepEqual(seen, times.slice(0, -1).map((t, i) => [i, vp.modelTimeInput(t)]));
    tf.dispose([xT, out]);
  }
});

test('clipDenoised keeps predicted x0 in [-1, 1] in both forms; off by default', async () => {
  await tf.setBackend('cpu');
  const zero: Denoiser = (x) => tf.zerosLike(x);
  const xT = tf.tensor4d([3, -3, 0.5, -0.5], [1, 2, 2, 1]);
  for (const algorithm of ['dpmsolver', 'dpmsolver++'] as const) {
    for (const order of [1, 2, 3]) {
      const clipped = await dpmSolverMultistepSample(zero, xT, multistepTimes(6, vp), vp, { order, algorithm, clipDenoised: true });
      for (const v of clipped.dataSync()) assert.ok(Math.abs(v) <= 1.1, `${algorithm} order ${order}: value ${v} outside [-1.1, 1.1]`);
      const raw = await dpmSolverMultistepSample(zero, xT, multistepTimes(6, vp), vp, { order, algorithm });
      assert.ok(Math.max(...raw.dataSync().map(Math.abs)) > 10, 'without clipping the prediction runs away');
      tf.dispose([clipped, raw]);
    }
  }
  xT.dispose();
});

test('bad input is rejected with the allowed values', async () => {
  await tf.setBackend('cpu');
  const xT = tf.tensor4d(X_T, [1, 2, 2, 1]);
  const den: Denoiser = (x) => tf.mul(x, 0.1) as tf.Tensor4D;
  await assert.rejects(dpmSolverMultistepSample(den, xT, [1, 0.5], vp, { algorithm: 'unipc' as never }), /allowed: dpmsolver, dpmsolver\+\+/);
  await assert.rejects(dpmSolverMultistepSample(den, xT, [1], vp), /at least 2 times/);
  await assert.rejects(dpmSolverMultistepSample(den, xT, [1, 0.5, 0.6], vp), /strictly decrease/);
  await assert.rejects(dpmSolverMultistepSample(den, xT, [1, 0.5], vp, { order: 0 }), /1, 2 or 3/);
  xT.dispose();
});
