/**
 * Images from one zoo model with single-model DDIM, from the experiment's fixed noise bank: what
 * `oms-dpm sample` and the post-training sample grid use to look at a trained model. The denoiser
 * may come from either sampling engine (sampling-engine.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedExperiment } from '../config/index';
import { fromModelOutput } from '../data/batch';
import { scheduleFromConfig } from '../diffusion/noise-schedule';
import { ddimSample, ddimTimesteps } from '../samplers/ddim';
import type { Denoiser } from '../samplers/denoiser';
import { noiseBank } from '../samplers/noise-bank';

export interface SampleRequest {
  count: number;
  steps: number;
  skip?: 'uniform' | 'quadratic';
  eta?: number;
  /** first noise-bank image */
  start?: number;
  batchSize?: number;
}

/** uint8 NHWC images, `count` of them. */
export async function sampleWithDdim(exp: ResolvedExperiment, denoiser: Denoiser, req: SampleRequest): Promise<Uint8Array> {
  const cfg = exp.config;
  const shape = { height: cfg.dataset.imageSize, width: cfg.dataset.imageSize, channels: cfg.dataset.channels };
  const d = shape.height * shape.width * shape.channels;
  const sched = scheduleFromConfig(cfg.diffusion);
  const ts = ddimTimesteps(sched.timesteps, req.steps, req.skip ?? 'uniform');
  const batch = req.batchSize ?? cfg.sampling.batchSize;
  const out = new Uint8Array(req.count * d);
  for (let s = 0; s < req.count; s += batch) {
    const n = Math.min(batch, req.count - s);
    const xT = tf.tensor4d(noiseBank(cfg.sampling.noiseBankSeed, (req.start ?? 0) + s, n, shape), [n, shape.height, shape.width, shape.channels]);
    let x0: tf.Tensor4D;
    try {
      x0 = await ddimSample(denoiser, xT, ts, sched.alphasCumprod, { eta: req.eta ?? 0, clipDenoised: cfg.sampling.clipDenoised, noiseSeed: cfg.sampling.noiseBankSeed });
    } finally {
      xT.dispose();
    }
    try {
      out.set(fromModelOutput(await x0.data()), s * d);
    } finally {
      x0.dispose();
    }
  }
  return out;
}
