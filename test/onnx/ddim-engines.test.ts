/**
 * A whole DDIM sampling run on each engine: the kit's async `ddimSample` with the synchronous
 * TF.js denoiser (on the `cpu` backend) and with the asynchronous ONNX Runtime denoiser
 * (`onnxDenoiser`), from the same x_T: one sampler, two engines behind the `Denoiser` seam.
 *
 * Tolerance: max |x0_onnx - x0_tfjs| <= 1e-3 * max |x0_tfjs| + 1e-4. Per network evaluation the
 * engines agree to ~1e-6 relative (unet-to-onnx.test.ts); DDIM at large t divides by
 * sqrt(alpha_bar_t) (~0.006 at t = 999) and feeds the result back, which can amplify that
 * difference (measured: ~4e-7 relative without clipping, ~1e-5 with), still far below what a wrong
 * layer or time input gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { unetForward } from '../../lib/diffusion/unet';
import { linearBetaSchedule } from '../../lib/diffusion/noise-schedule';
import { planUNet, type UNetArch } from '../../lib/diffusion/unet-spec';
import { OnnxModel, onnxDenoiser } from '../../lib/onnx/onnx-denoiser';
import { unetToOnnx } from '../../lib/onnx/unet-to-onnx';
import { ddimSample, ddimTimesteps } from '../../lib/samplers/ddim';
import type { Denoiser } from '../../lib/samplers/denoiser';
import { assertClose, seeded, testWeights, useCpuBackend } from './helpers';

const ARCH: UNetArch = { ch: 8, chMult: [1, 2], numResBlocks: 1, attnResolutions: [4], dropout: 0.1, groupNormGroups: 4, resamplingConv: true, imageSize: 8, inChannels: 2, outChannels: 2 };

for (const clip of [false, true]) {
  test(`a 5-step DDIM run gives the same images on ONNX Runtime and TF.js (clipDenoised ${clip})`, async (t) => {
    await useCpuBackend();
    const plan = planUNet(ARCH);
    const weights = testWeights(plan, 21);
    const model = await OnnxModel.fromBytes(unetToOnnx(plan, weights, { weightsSha256: 'test' }), 'ddim test model', {}, { intraOpNumThreads: 1 });
    const sched = linearBetaSchedule(1000, 1e-4, 0.02);
    const ts = ddimTimesteps(1000, 5);
    const n = 3;
    const S = ARCH.imageSize;
    const xT = seeded(n * S * S * ARCH.inChannels, 4, 1.7);
    try {
      const params: Record<string, tf.Tensor> = {};
      for (const [name, v] of weights) params[name] = tf.tensor(v.data, v.shape);
      const denoiser: Denoiser = (x, tInput) => tf.tidy(() => unetForward(params, plan, x, tf.fill([x.shape[0]], tInput) as tf.Tensor1D, { training: false }));
      const xTt = tf.tensor4d(xT, [n, S, S, ARCH.inChannels]);
      const ref = await ddimSample(denoiser, xTt, ts, sched.alphasCumprod, { clipDenoised: clip });
      const refData = ref.dataSync() as Float32Array;
      const before = tf.memory().numTensors;
      const viaOrt = await ddimSample(onnxDenoiser(model), xTt, ts, sched.alphasCumprod, { clipDenoised: clip });
      assert.equal(tf.memory().numTensors, before + 1, 'the ONNX run leaves only its result');
      const got = viaOrt.dataSync() as Float32Array;
      tf.dispose([xTt, ref, viaOrt, ...Object.values(params)]);
      const r = assertClose(got, refData, `DDIM x0 (clip ${clip})`, 1e-3, 1e-4);
      t.diagnostic(`DDIM 5 steps, batch 3: max|diff| ${r.diff.toExponential(2)}, max|x0| ${r.scale.toFixed(3)}`);
    } finally {
      await model.release();
    }
  });
}
