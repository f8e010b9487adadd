/**
 * Speed of one zoo model on the active backend: forward time and training-step time at a batch
 * size (median of repeats after warm-up), with the training step exactly as the trainer runs it
 * (micro-batches, gradients, clipping, Adam, EMA). Used by `npm run bench`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedExperiment } from '../config/index';
import { Adam } from '../diffusion/adam';
import { trainStep, type TrainState } from '../diffusion/train-step';
import type { TrainingBatch } from '../diffusion/training-batch';
import { initParams } from '../diffusion/init-params';
import { asParams, disposeVariables, toVariables } from '../diffusion/model-params';
import { unetForward } from '../diffusion/unet';
import { countParams, planUNet } from '../diffusion/unet-spec';
import { median } from '../bench/timing';
import { profileKernels, type KernelProfile } from '../bench/kernel-profile';
import { archFor } from './zoo-model';
import { trainerSettings } from './train-zoo';

export interface ModelBench {
  id: string;
  params: number;
  batch: number;
  microBatch: number;
  forwardMs: number;
  forwardSpreadMs: [number, number];
  trainMs: number;
  trainSpreadMs: [number, number];
  peakRssMb: number;
  /** one profiled forward pass and training step, kernel by kernel (the 12 largest kernels kept) */
  forwardProfile: KernelProfile;
  trainProfile: KernelProfile;
}

function topKernels(p: KernelProfile, n = 12): KernelProfile {
  return { ...p, kernels: p.kernels.slice(0, n) };
}

export async function benchModel(exp: ResolvedExperiment, id: string, batch: number, repeats = 5): Promise<ModelBench> {
  const plan = planUNet(archFor(exp.config, id));
  const settings = trainerSettings(exp, id);
  const micro = Math.min(settings.microBatchSize ?? batch, batch);
  const init = initParams(plan, 0);
  const params = toVariables(plan, init, true, 'bench');
  const ema = toVariables(plan, init, false, 'bench');
  const adam = new Adam({ lr: 2e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, params);
  const { imageSize: s, channels: c } = exp.config.dataset;
  const x = tf.randomNormal([batch, s, s, c]) as tf.Tensor4D;
  const t = tf.randomUniform([batch], 0, 999) as tf.Tensor1D;
  const p = asParams(params);
  const vars = [...params.values()];

  const fwd: number[] = [];
  for (let i = 0; i < repeats + 1; i++) {
    const t0 = performance.now();
    const y = unetForward(p, plan, x, t, { training: false });
    await y.data();
    y.dispose();
    if (i > 0) fwd.push(performance.now() - t0);
  }
  // A training batch of random data: the step's cost does not depend on the pixel values.
  const d = s * s * c;
  const rand = (n: number) => Float32Array.from({ length: n }, (_, k) => Math.sin(k * 12.9898) * 0.9);
  const b: TrainingBatch = { xt: rand(batch * d), eps: rand(batch * d), t: Float32Array.from({ length: batch }, (_, k) => (k * 7) % 1000), count: batch };
  const state: TrainState = { plan, params, ema, adam };
  const train: number[] = [];
  for (let i = 0; i < Math.max(2, Math.ceil(repeats / 2)) + 1; i++) {
    const t0 = performance.now();
    await trainStep(state, b, [s, s, c], i, { ...settings, microBatchSize: micro });
    await vars[0].data();
    if (i > 0) train.push(performance.now() - t0);
  }
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024); // before profiling adds its bookkeeping
  // Profiled separately from the timed runs: tf.profile's bookkeeping would inflate their times.
  const forwardProfile = await profileKernels(() => unetForward(p, plan, x, t, { training: false }));
  const trainProfile = await profileKernels(async () => {
    await trainStep(state, b, [s, s, c], train.length + 1, { ...settings, microBatchSize: micro });
    return [];
  });
  tf.dispose([x, t]);
  disposeVariables(params);
  disposeVariables(ema);
  disposeVariables(adam.m);
  disposeVariables(adam.v);
  return {
    id,
    params: countParams(plan),
    batch,
    microBatch: micro,
    forwardMs: median(fwd),
    forwardSpreadMs: [Math.min(...fwd), Math.max(...fwd)],
    trainMs: median(train),
    trainSpreadMs: [Math.min(...train), Math.max(...train)],
    peakRssMb,
    forwardProfile: topKernels(forwardProfile),
    trainProfile: topKernels(trainProfile),
  };
}
