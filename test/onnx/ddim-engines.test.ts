/**
 * A whole DDIM sampling run on each engine: the kit's `ddimSample` with the synchronous TF.js
 * denoiser (on the `cpu` backend) against the same update rule written on Float32Arrays around the
 * asynchronous ONNX Runtime model, from the same x_T. This is how an async sampler loop would use
 * the ONNX engine (see onnx-denoiser.ts).
 *
 * Tolerance: max |x0_onnx - x0_tfjs| <= 1e-3 * max |x0_tfjs| + 1e-4. Per network evaluation the
 * engines agree to ~1e-6 relative (unet-to-onnx.test.ts); DDIM at large t divides by
 * sqrt(alpha_bar_t) (~0.006 at t = 999) and feeds the result back, which can amplify that
 * difference (measured: ~4e-7 relative without clipping, ~1e-5 with), still far below what a wrong
 * layer or time input gives.
 */
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { unetForward } from '../../lib/diffusion/unet';
import { linearBetaSchedule } from '../../lib/diffusion/noise-schedule';
import { planUNet, type UNetArch } from '../../lib/diffusion/unet-spec';
import { OnnxModel } from '../../lib/onnx/onnx-denoiser';
import { unetToOnnx } from '../../lib/onnx/unet-to-onnx';
import { ddimSample, ddimTimesteps } from '../../lib/samplers/ddim';
import type { Denoiser } from '../../lib/samplers/denoiser';
import { assertClose, seeded, testWeights, useCpuBackend } from './helpers';

const ARCH: UNetArch = { ch: 8, chMult: [1, 2], numResBlocks: 1, attnResolutions: [4], dropout: 0.1, groupNormGroups: 4, resamplingConv: true, imageSize: 8, inChannels: 2, outChannels: 2 };

/** Deterministic DDIM (eta 0) over Float32Arrays, awaiting the model each step; math as lib/samplers/ddim.ts. */
async function ddimOnArrays(model: OnnxModel, xT: Float32Array, n: number, timesteps: number[], alphasCumprod: ArrayLike<number>, clip: boolean): Promise<Float32Array> {
  const x = Float32Array.from(xT);
  for (let i = 0; i < timesteps.length; i++) {
    const at = alphasCumprod[timesteps[i]];
    const as = i + 1 < timesteps.length ? alphasCumprod[timesteps[i + 1]] : 1;
    const eps = await model.run(x, n, timesteps[i]);
    const c2 = Math.sqrt(Math.max(0, 1 - as));
    for (let j = 0; j < x.length; j++) {
      let x0 = (x[j] - Math.sqrt(1 - at) * eps[j]) / Math.sqrt(at);
      let e = eps[j];
      if (clip) {
        x0 = Math.min(1, Math.max(-1, x0));
        e = (x[j] - Math.sqrt(at) * x0) / Math.sqrt(1 - at);
      }
      x[j] = Math.sqrt(as) * x0 + c2 * e;
    }
  }
  return x;
}

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
      const ref = ddimSample(denoiser, xTt, ts, sched.alphasCumprod, { clipDenoised: clip });
      const refData = ref.dataSync() as Float32Array;
      tf.dispose([xTt, ref, ...Object.values(params)]);
      const got = await ddimOnArrays(model, xT, n, ts, sched.alphasCumprod, clip);
      const r = assertClose(got, refData, `DDIM x0 (clip ${clip})`, 1e-3, 1e-4);
      t.diagnostic(`DDIM 5 steps, batch 3: max|diff| ${r.diff.toExponential(2)}, max|x0| ${r.scale.toFixed(3)}`);
    } finally {
      await model.release();
    }
  });
}
