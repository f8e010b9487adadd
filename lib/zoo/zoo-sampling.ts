/**
 * Images from one zoo model with single-model DDIM, from the experiment's fixed noise bank: what
 * `oms-dpm sample` and the post-training sample grid use to look at a trained model. The denoiser
 * may come from either sampling engine (sampling-engine.ts).
 */
import type { ResolvedExperiment } from '../config/index';
import { fromModelOutput } from '../data/batch';
import { scheduleFromConfig } from '../diffusion/noise-schedule';
import { ddimSample, ddimTimesteps } from '../samplers/ddim';
import type { Denoiser } from '../samplers/denoiser';
import { forEachNoiseBankBatch } from '../samplers/noise-bank';

export interface SampleRequest {
  count: number;
  steps: number;
  skip?: 'uniform' | 'quadratic';
  eta?: number;
  /** first noise-bank image */
  start?: number;
  batchSize?: number;
  /** noise-bank seed (also seeds the eta > 0 noise); default the experiment's `sampling.noiseBankSeed` */
  seed?: number;
}

/** uint8 NHWC images, `count` of them. */
export async function sampleWithDdim(exp: ResolvedExperiment, denoiser: Denoiser, req: SampleRequest): Promise<Uint8Array> {
  const cfg = exp.config;
  const shape = { height: cfg.dataset.imageSize, width: cfg.dataset.imageSize, channels: cfg.dataset.channels };
  const d = shape.height * shape.width * shape.channels;
  const sched = scheduleFromConfig(cfg.diffusion);
  const ts = ddimTimesteps(sched.timesteps, req.steps, req.skip ?? 'uniform');
  const out = new Uint8Array(req.count * d);
  const seed = req.seed ?? cfg.sampling.noiseBankSeed;
  await forEachNoiseBankBatch(
    { seed, shape, start: req.start ?? 0, count: req.count, batchSize: req.batchSize ?? cfg.sampling.batchSize },
    (xT) => ddimSample(denoiser, xT, ts, sched.alphasCumprod, { eta: req.eta ?? 0, clipDenoised: cfg.sampling.clipDenoised, noiseSeed: seed }),
    (x0, offset) => out.set(fromModelOutput(x0), offset * d),
  );
  return out;
}
