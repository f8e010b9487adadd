/**
 * Is memory flat over many training steps? `npm run bench` runs `steps` training steps of a zoo
 * model (exactly as the trainer runs them: gradients, clipping, Adam, EMA) at a small batch, and
 * reads TF.js's live tensors and bytes after a warm-up and at the end, and the process RSS at ten
 * points on the way. A leak of one tensor per step shows as numTensors growing by `steps`. RSS
 * also moves with V8's garbage collection and the WASM heap settling, so its growth is reported
 * over the second half of the run (per 1000 steps), where a real leak would still show.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedExperiment } from '../config/index';
import { Adam } from '../diffusion/adam';
import { initParams } from '../diffusion/init-params';
import { disposeVariables, toVariables } from '../diffusion/model-params';
import { trainStep, type TrainState } from '../diffusion/train-step';
import type { TrainingBatch } from '../diffusion/training-batch';
import { planUNet } from '../diffusion/unet-spec';
import { trainerSettings } from '../zoo/train-zoo';
import { archFor } from '../zoo/zoo-model';

export interface MemoryOverSteps {
  model: string;
  batch: number;
  warmupSteps: number;
  steps: number;
  seconds: number;
  numTensors: { afterWarmup: number; atEnd: number };
  tfBytes: { afterWarmup: number; atEnd: number };
  /** RSS (MB) after the warm-up and after each tenth of the steps */
  rssMb: { step: number; mb: number }[];
  /** least-squares slope of RSS over the second half of the steps */
  rssGrowthMbPer1kSteps: number;
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

/** Least-squares slope of mb over step (0 with fewer than 2 points). */
export function slope(points: readonly { step: number; mb: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.step, 0) / n;
  const my = points.reduce((a, p) => a + p.mb, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.step - mx) ** 2;
    sxy += (p.step - mx) * (p.mb - my);
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

export async function memoryOverSteps(exp: ResolvedExperiment, modelId: string, batch: number, steps: number, warmupSteps = 20): Promise<MemoryOverSteps> {
  const plan = planUNet(archFor(exp.config, modelId));
  const settings = { ...trainerSettings(exp, modelId), microBatchSize: batch };
  const init = initParams(plan, 0);
  const params = toVariables(plan, init, true, 'memory');
  const ema = toVariables(plan, init, false, 'memory');
  const adam = new Adam({ lr: settings.learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, params);
  const state: TrainState = { plan, params, ema, adam };
  const { imageSize: s, channels: c } = exp.config.dataset;
  const d = s * s * c;
  const wave = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((i + k) * 12.9898) * 0.9);
  const batchAt = (step: number): TrainingBatch => ({ xt: wave(batch * d, step), eps: wave(batch * d, step + 1), t: Float32Array.from({ length: batch }, (_, i) => (i * 37 + step) % 1000), count: batch });
  const shape: [number, number, number] = [s, s, c];
  try {
    for (let i = 0; i < warmupSteps; i++) await trainStep(state, batchAt(i), shape, i, settings);
    const start = { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes };
    const rss = [{ step: 0, mb: rssMb() }];
    const every = Math.max(1, Math.round(steps / 10));
    const t0 = performance.now();
    for (let k = 1; k <= steps; k++) {
      await trainStep(state, batchAt(warmupSteps + k), shape, warmupSteps + k, settings);
      if (k % every === 0 || k === steps) rss.push({ step: k, mb: rssMb() });
    }
    const seconds = (performance.now() - t0) / 1000;
    const end = { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes };
    return {
      model: modelId,
      batch,
      warmupSteps,
      steps,
      seconds,
      numTensors: { afterWarmup: start.tensors, atEnd: end.tensors },
      tfBytes: { afterWarmup: start.bytes, atEnd: end.bytes },
      rssMb: rss,
      rssGrowthMbPer1kSteps: 1000 * slope(rss.filter((r) => r.step >= steps / 2)),
    };
  } finally {
    disposeVariables(params);
    disposeVariables(ema);
    disposeVariables(adam.m);
    disposeVariables(adam.v);
  }
}
