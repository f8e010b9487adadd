/**
 * The samplers are async so that a denoiser can be TF.js (synchronous) or ONNX Runtime
 * (asynchronous). Checked here for DDIM, single-step DPM-Solver and both multistep forms:
 *   - an asynchronous denoiser gives bit-identical samples to the same synchronous one;
 *   - nothing leaks: after a run only the result survives, and after a denoiser error (a
 *     synchronous throw, a rejected promise, a wrong shape) no tensor survives at all;
 *   - two runs awaited concurrently give the same samples as one after the other (no shared state).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LINEAR_VP } from '../../lib/diffusion/continuous-vp';
import { linearBetaSchedule } from '../../lib/diffusion/noise-schedule';
import { ddimSample, ddimTimesteps } from '../../lib/samplers/ddim';
import type { AsyncDenoiser, Denoiser } from '../../lib/samplers/denoiser';
import { dpmSolverSample, dpmSolverStepsForNfe } from '../../lib/samplers/dpm-solver';
import { dpmSolverMultistepSample, multistepTimes } from '../../lib/samplers/dpm-solver-multistep';
import { compileScheduleDenoiser } from '../../lib/samplers/schedule-denoiser';

const sched = linearBetaSchedule(1000, 1e-4, 0.02);
const vp = LINEAR_VP;

/** A smooth eps guess that depends on x, the time input and the model. */
function toy(m: number): Denoiser {
  return (x, tInput) => tf.tidy(() => tf.add(tf.mul(x, 0.2 + 0.05 * m + tInput / 4000), tf.sin(tf.mul(x, m))) as tf.Tensor4D);
}

/** The same denoiser behind a promise resolved on a later turn of the event loop, as ONNX Runtime's. */
function later(d: Denoiser): AsyncDenoiser {
  return async (x, tInput, call) => {
    await new Promise((resolve) => setImmediate(resolve));
    return d(x, tInput, call);
  };
}

type Run = (den: Denoiser, xT: tf.Tensor4D) => Promise<tf.Tensor4D>;

const RUNS: Record<string, Run> = {
  'DDIM (clipped)': (den, xT) => ddimSample(den, xT, ddimTimesteps(1000, 6), sched.alphasCumprod, { clipDenoised: true }),
  'DDIM (eta 0.5)': (den, xT) => ddimSample(den, xT, ddimTimesteps(1000, 4), sched.alphasCumprod, { eta: 0.5, noiseSeed: 3 }),
  'DPM-Solver (orders 3,3,2,1)': (den, xT) => dpmSolverSample(den, xT, dpmSolverStepsForNfe(9, { order: 3 }), vp, { clipDenoised: true }),
  'multistep DPM-Solver 3M': (den, xT) => dpmSolverMultistepSample(den, xT, multistepTimes(7, vp), vp, { order: 3 }),
  'multistep DPM-Solver++ 2M (clipped)': (den, xT) => dpmSolverMultistepSample(den, xT, multistepTimes(6, vp), vp, { order: 2, algorithm: 'dpmsolver++', clipDenoised: true }),
};

function noise(): tf.Tensor4D {
  return tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
}

test('an asynchronous denoiser gives bit-identical samples and leaves only the result', async () => {
  await tf.setBackend('cpu');
  const xT = noise();
  for (const [name, run] of Object.entries(RUNS)) {
    const sync = await run(toy(1), xT);
    const before = tf.memory().numTensors;
    const viaPromise = await run(later(toy(1)), xT);
    assert.equal(tf.memory().numTensors, before + 1, `${name}: only the result survives`);
    assert.ok(sync.dataSync().every(Number.isFinite), name);
    assert.deepEqual(viaPromise.dataSync(), sync.dataSync(), `${name}: bit-identical`);
    // a two-model schedule mixing a synchronous and an asynchronous member
    const mixed = compileScheduleDenoiser([toy(1), later(toy(2))], new Array(12).fill(0).map((_, i) => 1 + (i % 2)));
    const allSync = compileScheduleDenoiser([toy(1), toy(2)], new Array(12).fill(0).map((_, i) => 1 + (i % 2)));
    const a = await run(mixed, xT);
    const b = await run(allSync, xT);
    assert.deepEqual(a.dataSync(), b.dataSync(), `${name}: mixed engines in one schedule`);
    tf.dispose([sync, viaPromise, a, b]);
  }
  xT.dispose();
});

test('a failing denoiser leaks nothing: synchronous throw, rejected promise, wrong shape', async () => {
  await tf.setBackend('cpu');
  const xT = noise();
  const failAt = (k: number, how: 'throw' | 'reject' | 'shape'): Denoiser => (x, tInput, call) => {
    if (call < k) return toy(1)(x, tInput, call);
    if (how === 'throw') throw new Error(`boom at call ${call}`);
    if (how === 'reject') return Promise.reject(new Error(`boom at call ${call}`));
    return tf.zeros([1, 1, 1, 1]) as tf.Tensor4D;
  };
  for (const [name, run] of Object.entries(RUNS)) {
    for (const how of ['throw', 'reject', 'shape'] as const) {
      if (how === 'shape' && name.startsWith('DDIM')) continue; // DDIM broadcasts; the shape check is the continuous solvers'
      for (const k of [0, 1, 2, 3]) {
        const before = tf.memory().numTensors;
        await assert.rejects(run(failAt(k, how), xT), how === 'shape' ? /returned shape \[1,1,1,1\]/ : /boom at call/, `${name} ${how} at ${k}`);
        assert.equal(tf.memory().numTensors, before, `${name}: ${how} at call ${k} leaked ${tf.memory().numTensors - before} tensor(s)`);
      }
    }
  }
  xT.dispose();
});

test('runs awaited concurrently equal runs one after the other', async () => {
  await tf.setBackend('cpu');
  const xT = noise();
  const runs = Object.values(RUNS);
  const sequential: Float32Array[] = [];
  for (const run of runs) {
    const out = await run(later(toy(2)), xT);
    sequential.push(out.dataSync() as Float32Array);
    out.dispose();
  }
  const before = tf.memory().numTensors;
  const together = await Promise.all(runs.map((run) => run(later(toy(2)), xT)));
  assert.equal(tf.memory().numTensors, before + runs.length);
  together.forEach((out, i) => assert.deepEqual(out.dataSync(), sequential[i]));
  tf.dispose([xT, ...together]);
});
