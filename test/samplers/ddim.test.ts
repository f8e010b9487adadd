/**
 * DDIM on Gaussian data, whose exact noise predictor is known in closed form:
 * if x_0 ~ N(0, s^2) per pixel then x_t ~ N(0, a s^2 + 1 - a) and
 *   eps*(x_t, t) = sqrt(1 - a) x_t / (a s^2 + 1 - a),   a = alpha_bar_t.
 * Along the probability-flow ODE x_t / sqrt(a_t s^2 + 1 - a_t) is constant, so the exact map from the
 * first visited timestep t_start to the clean image is x_0 = x_start * s / sqrt(a_start s^2 + 1 - a_start).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { linearBetaSchedule } from '../../lib/diffusion/noise-schedule';
import { ddimSample, ddimTimesteps } from '../../lib/samplers/ddim';
import type { Denoiser } from '../../lib/samplers/denoiser';

const sched = linearBetaSchedule(1000, 1e-4, 0.02);

function gaussianDenoiser(s: number): Denoiser {
  return (x, t) => tf.tidy(() => {
    const a = sched.alphasCumprod[t];
    return tf.mul(x, Math.sqrt(1 - a) / (a * s * s + 1 - a)) as tf.Tensor4D;
  });
}

async function relErrorToOde(s: number, steps: number): Promise<number> {
  const ts = ddimTimesteps(1000, steps);
  const xT = tf.tensor4d([0.3, -1.2, 2.0, 0.7], [1, 2, 2, 1]);
  const x0 = await ddimSample(gaussianDenoiser(s), xT, ts, sched.alphasCumprod);
  const a = sched.alphasCumprod[ts[0]];
  const exact = tf.mul(xT, s / Math.sqrt(a * s * s + 1 - a));
  const err = tf.norm(tf.sub(x0, exact)).dataSync()[0] / tf.norm(exact).dataSync()[0];
  tf.dispose([xT, x0, exact]);
  return err;
}

test('DDIM timesteps: uniform and quadratic spacing as in the official code, descending', () => {
  assert.deepEqual(ddimTimesteps(1000, 10), [900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
  const q = ddimTimesteps(1000, 5, 'quadratic');
  // floor(linspace(0, sqrt(800), 5)^2) = [0, 50, 200, 450, 800]
  assert.deepEqual(q, [800, 450, 200, 50, 0]);
  assert.throws(() => ddimTimesteps(1000, 0), /1\.\.1000/);
});

/** The official DDIM code's uniform skip, range(0, T, T // steps), descending. */
function officialUniform(T: number, steps: number): number[] {
  const skip = Math.floor(T / steps);
  const seq: number[] = [];
  for (let t = 0; t < T; t += skip) seq.push(t);
  return seq.reverse();
}

test('DDIM uniform timesteps: the official range(0, T, T // steps) when steps divides T; exactly `steps` of them otherwise', () => {
  for (const T of [1000, 100, 12]) {
    for (let steps = 1; steps <= T; steps++) {
      const ts = ddimTimesteps(T, steps);
      assert.equal(ts.length, steps, `NFE = steps (T ${T}, ${steps} steps)`);
      const official = officialUniform(T, steps);
      if (T % steps === 0) assert.deepEqual(ts, official, `T ${T}, ${steps} steps`);
      else {
        // the official list is longer, and the kit's is its first `steps` timesteps (from 0 up)
        assert.ok(official.length > steps, `T ${T}, ${steps} steps: official ${official.length}`);
        assert.deepEqual(ts, official.slice(official.length - steps), `T ${T}, ${steps} steps`);
      }
    }
  }
  // 15 steps at T = 1000: 1000 // 15 = 66; here 15 timesteps 924, 858, ..., 66, 0, spacing 66;
  // the official code visits 16 (range(0, 1000, 66) ends at 990)
  const ts15 = ddimTimesteps(1000, 15);
  assert.equal(ts15.length, 15);
  assert.equal(ts15[0], 924);
  assert.equal(ts15[14], 0);
  for (let i = 1; i < 15; i++) assert.equal(ts15[i - 1] - ts15[i], 66);
  assert.equal(officialUniform(1000, 15).length, 16);
  assert.equal(officialUniform(1000, 15)[0], 990);
  // the common step counts that differ at T = 1000, with the official lengths the docstring gives
  const differ = [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 16, 18, 20, 25, 30, 40, 50, 60, 100].filter((n) => officialUniform(1000, n).length !== n);
  assert.deepEqual(differ, [3, 6, 7, 9, 12, 14, 15, 16, 18, 30, 60]);
  assert.deepEqual(differ.map((n) => officialUniform(1000, n).length), [4, 7, 8, 10, 13, 15, 16, 17, 19, 31, 63]);
});

test('DDIM update on unit-variance data matches its closed form (1e-5)', async () => {
  // With s = 1: eps* = sqrt(1-a) x, x0_hat = sqrt(a) x, so each step multiplies x by
  // sqrt(a_s a_t) + sqrt((1 - a_s)(1 - a_t)) (a_s = 1 after the last step).
  await tf.setBackend('cpu');
  const ts = ddimTimesteps(1000, 7);
  let factor = 1;
  for (let i = 0; i < ts.length; i++) {
    const at = sched.alphasCumprod[ts[i]];
    const as = i + 1 < ts.length ? sched.alphasCumprod[ts[i + 1]] : 1;
    factor *= Math.sqrt(as * at) + Math.sqrt((1 - as) * (1 - at));
  }
  const xT = tf.tensor4d([0.3, -1.2, 2.0, 0.7], [1, 2, 2, 1]);
  const x0 = await ddimSample(gaussianDenoiser(1), xT, ts, sched.alphasCumprod);
  const got = x0.dataSync();
  [0.3, -1.2, 2.0, 0.7].forEach((v, i) => assert.ok(Math.abs(got[i] - v * factor) < 1e-5 * Math.abs(v), `pixel ${i}: ${got[i]} vs ${v * factor}`));
  tf.dispose([xT, x0]);
});

test('DDIM converges to the probability-flow ODE solution at first order', async () => {
  await tf.setBackend('cpu');
  const e: number[] = [];
  for (const n of [10, 20, 40, 80]) e.push(await relErrorToOde(0.5, n));
  for (let i = 1; i < e.length; i++) assert.ok(e[i] < e[i - 1], `error must shrink with NFE: ${e}`);
  const order = Math.log2(e[2] / e[3]);
  assert.ok(order > 0.8 && order < 1.3, `measured order ${order.toFixed(3)} (errors ${e.map((x) => x.toExponential(2))})`);
});

test('clipping keeps the predicted x0 in [-1, 1]: a denoiser that predicts pure noise still gives an image in range', async () => {
  await tf.setBackend('cpu');
  const zero: Denoiser = (x) => tf.zerosLike(x); // claims no noise: x0_hat = x_t / sqrt(a), far outside [-1, 1]
  const xT = tf.tensor4d([3, -3, 0.5, -0.5], [1, 2, 2, 1]);
  const x0 = await ddimSample(zero, xT, ddimTimesteps(1000, 4), sched.alphasCumprod, { clipDenoised: true });
  const v = x0.dataSync();
  for (const x of v) assert.ok(x >= -1 - 1e-6 && x <= 1 + 1e-6, `value ${x} outside [-1, 1]`);
  tf.dispose([xT, x0]);
});
