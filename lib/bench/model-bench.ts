/**
 * Speed of one zoo model on the active backend: forward time and training-step time at a batch
 * size (median of repeats after warm-up), with the training step exactly as the trainer runs it
 * (micro-batches, gradients, clipping, Adam, EMA). Used by `npm run bench`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedExperiment } from '../config/index';
import { trainStep } from '../diffusion/train-step';
import { asParams } from '../diffusion/model-params';
import { unetForward } from '../diffusion/unet';
import { countParams } from '../diffusion/unet-spec';
import { benchTraining } from './bench-training';
import { median } from './timing';
import { profileKernels, type KernelProfile } from './kernel-profile';

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
  const training = benchTraining(exp, id, batch, 'bench');
  const x = tf.randomNormal([batch, ...training.shape]) as tf.Tensor4D;
  const t = tf.randomUniform([batch], 0, 999) as tf.Tensor1D;
  // released on an error too: a failed model must not leave its weights to the next one in this process
  try {
    const { state, settings } = training;
    const { plan, params } = state;
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
    const b = training.batchAt(0);
    const train: number[] = [];
    for (let i = 0; i < Math.max(2, Math.ceil(repeats / 2)) + 1; i++) {
      const t0 = performance.now();
      await trainStep(state, b, training.shape, i, settings);
      await vars[0].data();
      if (i > 0) train.push(performance.now() - t0);
    }
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024); // before profiling adds its bookkeeping
    // Profiled separately from the timed runs: tf.profile's bookkeeping would inflate their times.
    const forwardProfile = await profileKernels(() => unetForward(p, plan, x, t, { training: false }));
    const trainProfile = await profileKernels(async () => {
      await trainStep(state, b, training.shape, train.length + 1, settings);
      return [];
    });
    return {
      id,
      params: countParams(plan),
      batch,
      microBatch: training.microBatch,
      forwardMs: median(fwd),
      forwardSpreadMs: [Math.min(...fwd), Math.max(...fwd)],
      trainMs: median(train),
      trainSpreadMs: [Math.min(...train), Math.max(...train)],
      peakRssMb,
      forwardProfile: topKernels(forwardProfile),
      trainProfile: topKernels(trainProfile),
    };
  } finally {
    tf.dispose([x, t]);
    training.dispose();
  }
}
