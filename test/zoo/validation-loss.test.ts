/**
 * The zoo's held-out loss (lib/zoo/validation-loss.ts) with analytic denoisers on a data set of
 * constant images, where the noise in x_t is known exactly:
 *
 *   - the oracle eps_hat = (x_t - sqrt(abar_t) x_0) / sqrt(1 - abar_t) has loss ~0 (float32
 *     rounding: below 1e-8 at t <= 950, where sqrt(1 - abar_t) >= 0.12);
 *   - the zero predictor's loss is the mean square of the noise drawn: 1 within 0.1 over 2400 draws
 *     per timestep (standard error ~0.03);
 *   - eps_hat = eps / 2, i.e. (oracle) / 2, has exactly a quarter of the zero predictor's loss at every
 *     timestep (1e-6 relative, float32 rounding): both saw the same noise (common random numbers);
 *   - the image-mean ("DC") measures: the oracle has gain 1 and DC error ~0; the zero predictor gain
 *     0 and DC error sd(dc(eps)) sqrt((1 - abar)/abar), about sqrt((1 - abar)/abar) / 4 for 16
 *     pixels; a predictor that gets every pixel right except the image mean has a tiny per-pixel
 *     loss (1/16 of the zero predictor's) and the zero predictor's DC error;
 *   - the batch size changes nothing (one noise stream per image and timestep), and the grid, the
 *     denoiser's time input and the errors (bad sizes, no images, no models, NaN, wrong shape) are
 *     as documented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { InMemoryImageDataset } from '../../lib/data/image-dataset';
import { linearBetaSchedule } from '../../lib/diffusion/noise-schedule';
import { initBackend } from '../../lib/tfjs/backend';
import { isKitError } from '../../lib/util/errors';
import { validationLoss, validationTimesteps } from '../../lib/zoo/validation-loss';

const T = 1000;
const schedule = linearBetaSchedule(T, 1e-4, 0.02);
const PIXEL = 191; // x_0 = 191 / 127.5 - 1 everywhere
const X0 = PIXEL / 127.5 - 1;
const data = new InMemoryImageDataset('constant', 4, 4, 1, new Uint8Array(150 * 16).fill(PIXEL));

function oracle(scale: number, seen: number[] = []) {
  return (x: tf.Tensor4D, t: number) => {
    seen.push(t);
    const a = Math.sqrt(schedule.alphasCumprod[t]);
    const s = Math.sqrt(1 - schedule.alphasCumprod[t]);
    return tf.tidy(() => x.sub(a * X0).div(s).mul(scale) as tf.Tensor4D);
  };
}
const zero = (x: tf.Tensor4D) => tf.zerosLike(x);

test('analytic denoisers: oracle ~0, zero ~1, half the noise exactly a quarter of zero', async () => {
  await initBackend();
  const seen: number[] = [];
  const r = await validationLoss(
    [{ modelId: 'oracle', denoiser: oracle(1, seen) }, { modelId: 'zero', denoiser: zero }, { modelId: 'half', denoiser: oracle(0.5) }],
    data,
    schedule,
    { batchSize: 64 },
  );
  assert.equal(r.images, 150);
  assert.deepEqual(r.timesteps, [50, 150, 250, 350, 450, 550, 650, 750, 850, 950]);
  assert.deepEqual([...new Set(seen)], r.timesteps, 'each batch is evaluated at every grid point in order');
  const [o, z, h] = r.models;
  for (const v of o.perTimestep) assert.ok(v < 1e-8, `oracle loss ${v}`);
  for (const v of z.perTimestep) assert.ok(Math.abs(v - 1) < 0.1, `zero loss ${v}`);
  z.perTimestep.forEach((v, i) => assert.ok(Math.abs(h.perTimestep[i] / v - 0.25) < 1e-6, `half/zero at t=${r.timesteps[i]}: ${h.perTimestep[i] / v}`));
  assert.ok(Math.abs(z.mse - z.perTimestep.reduce((a, b) => a + b) / 10) < 1e-12);
});

test('the image-mean (DC) part: gain and error of the oracle, the zero predictor and a predictor blind to the mean only', async () => {
  await initBackend();
  // the oracle's prediction with its per-image mean removed: right at every pixel but the level
  const noMean = (x: tf.Tensor4D, t: number) => tf.tidy(() => {
    const e = oracle(1)(x, t);
    return e.sub(e.mean([1, 2, 3], true)) as tf.Tensor4D;
  });
  const r = await validationLoss(
    [{ modelId: 'oracle', denoiser: oracle(1) }, { modelId: 'zero', denoiser: zero }, { modelId: 'no-mean', denoiser: noMean }],
    data,
    schedule,
    { batchSize: 64 },
  );
  const [o, z, nm] = r.models;
  r.timesteps.forEach((t, i) => {
    const amp = Math.sqrt((1 - schedule.alphasCumprod[t]) / schedule.alphasCumprod[t]);
    assert.ok(Math.abs(o.dcGain[i] - 1) < 1e-4 && o.dcError[i] < 1e-4 * amp, `oracle at t=${t}: gain ${o.dcGain[i]}, error ${o.dcError[i]}`);
    assert.equal(z.dcGain[i], 0);
    // dc of 16 standard normals has sd 1/4; 150 images: within 15%
    assert.ok(Math.abs(z.dcError[i] / amp - 0.25) < 0.25 * 0.15, `zero at t=${t}: ${z.dcError[i] / amp}`);
    assert.ok(Math.abs(nm.dcGain[i]) < 1e-5, `no-mean gain ${nm.dcGain[i]}`);
    assert.ok(Math.abs(nm.dcError[i] / z.dcError[i] - 1) < 1e-3, 'blind to the mean: the zero predictor\'s DC error');
    // ...while its per-pixel loss is the mean's share only: 1/16 of the zero predictor's (within sampling noise)
    assert.ok(nm.perTimestep[i] < z.perTimestep[i] / 8, `no-mean loss ${nm.perTimestep[i]} vs zero ${z.perTimestep[i]}`);
  });
  // at t = 950 the level error is amplified ~4x in x_0 units
  assert.ok(z.dcError[9] > 0.9, `zero predictor's x_0 level error at t = 950: ${z.dcError[9]}`);
});

test('the batch size changes nothing; another seed draws other noise', async () => {
  await initBackend();
  const a = await validationLoss([{ modelId: 'zero', denoiser: zero }], data, schedule, { batchSize: 7, timesteps: 4, images: 100 });
  const b = await validationLoss([{ modelId: 'zero', denoiser: zero }], data, schedule, { batchSize: 128, timesteps: 4, images: 100 });
  assert.deepEqual(a.timesteps, [125, 375, 625, 875]);
  a.models[0].perTimestep.forEach((v, i) => assert.ok(Math.abs(v - b.models[0].perTimestep[i]) < 1e-9));
  const other = await validationLoss([{ modelId: 'zero', denoiser: zero }], data, schedule, { batchSize: 128, timesteps: 4, images: 100, seed: 7 });
  assert.notEqual(other.models[0].mse, a.models[0].mse, 'another seed draws other noise');
});

test('bad input: grid size, batch size, no models, a diverged model', async () => {
  await initBackend();
  const kit = (re: RegExp) => (e: unknown) => isKitError(e) && re.test(e.message);
  assert.throws(() => validationTimesteps(T, 0), kit(/integer in 1\.\.1000, got 0/));
  assert.throws(() => validationTimesteps(T, 1001), kit(/got 1001/));
  await assert.rejects(validationLoss([{ modelId: 'zero', denoiser: zero }], data, schedule, { batchSize: 0 }), kit(/batch size/));
  await assert.rejects(validationLoss([], data, schedule, { batchSize: 8 }), kit(/no models/));
  await assert.rejects(validationLoss([{ modelId: 'zero', denoiser: zero }], data, schedule, { batchSize: 8, images: 0 }), kit(/images must be a positive integer, got 0/));
  const empty = new InMemoryImageDataset('empty', 4, 4, 1, new Uint8Array(0));
  await assert.rejects(validationLoss([{ modelId: 'zero', denoiser: zero }], empty, schedule, { batchSize: 8 }), kit(/empty has no images/));
  const wrongShape = (x: tf.Tensor4D) => tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  await assert.rejects(validationLoss([{ modelId: 'odd', denoiser: wrongShape }], data, schedule, { batchSize: 8, timesteps: 1 }), kit(/odd returned 16 values for a batch of 8 x 4x4x1/));
  const nan = (x: tf.Tensor4D) => tf.fill(x.shape, NaN) as tf.Tensor4D;
  await assert.rejects(validationLoss([{ modelId: 'broken', denoiser: nan }], data, schedule, { batchSize: 8, timesteps: 2 }), (e: unknown) => kit(/broken predicts non-finite noise at t = 250/)(e) && /train-zoo --model broken/.test((e as { hint?: string }).hint ?? ''));
});
