/**
 * One optimisation step, shared by the trainer and the benchmark so that what is timed is what
 * trains: micro-batched gradients of the official loss (sum of squared error over pixels, mean
 * over the whole batch), global-norm clipping, Adam, EMA.
 */
import * as tf from '@tensorflow/tfjs';
import { streamSeed } from '../util/rng';
import { Adam } from './adam';
import { learningRateAt, type LearningRateDecay } from './learning-rate';
import { emaDecay, updateEma } from './ema';
import { asParams, type VariableMap } from './model-params';
import type { TrainingBatch } from './training-batch';
import { unetForward } from './unet';
import type { UNetPlan } from './unet-spec';

export interface TrainState {
  plan: UNetPlan;
  params: VariableMap;
  ema: VariableMap;
  adam: Adam;
}

export interface StepSettings {
  microBatchSize: number | null;
  learningRate: number;
  warmupSteps: number;
  lrDecay: LearningRateDecay;
  /** the run's length: the cosine annealing reaches zero there */
  iterations: number;
  gradClipNorm: number | null;
  emaRate: number;
  emaWarmup: boolean;
  seed: number;
}

/** Runs step `step` (0-based) on `b`; returns the batch's loss (official units). */
export async function trainStep(state: TrainState, b: TrainingBatch, shape: [number, number, number], step: number, s: StepSettings): Promise<number> {
  const [h, w, c] = shape;
  const d = h * w * c;
  const micro = Math.min(s.microBatchSize ?? b.count, b.count);
  const vars = [...state.params.values()];
  const names = [...state.params.keys()];
  const p = asParams(state.params);
  let accum: tf.Tensor[] | null = null;
  let lossSum = 0;
  for (let start = 0, chunk = 0; start < b.count; start += micro, chunk++) {
    const n = Math.min(micro, b.count - start);
    const xt = tf.tensor4d(b.xt.subarray(start * d, (start + n) * d), [n, h, w, c]);
    const eps = tf.tensor4d(b.eps.subarray(start * d, (start + n) * d), [n, h, w, c]);
    const tt = tf.tensor1d(b.t.subarray(start, start + n));
    const seed = streamSeed(s.seed, 'dropout', step, chunk);
    const { value, grads } = tf.variableGrads(() => {
      const pred = unetForward(p, state.plan, xt, tt, { training: true, dropoutSeed: seed });
      return tf.div(tf.sum(tf.squaredDifference(pred, eps)), b.count) as tf.Scalar;
    }, vars);
    lossSum += (await value.data())[0];
    const g = vars.map((v) => grads[v.name]);
    if (accum === null) accum = g;
    else {
      const next: tf.Tensor[] = accum.map((a, i) => tf.add(a, g[i]));
      tf.dispose([...accum, ...g]);
      accum = next;
    }
    tf.dispose([xt, eps, tt, value]);
  }
  let grads = accum!;
  if (s.gradClipNorm !== null) {
    const sq = tf.tidy(() => tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
    const norm = Math.sqrt((await sq.data())[0]);
    sq.dispose();
    const scale = Math.min(1, s.gradClipNorm / (norm + 1e-6));
    if (scale < 1) {
      const scaled = grads.map((g) => tf.mul(g, scale));
      tf.dispose(grads);
      grads = scaled;
    }
  }
  const lr = learningRateAt(s.learningRate, s.lrDecay, s.warmupSteps, step, s.iterations);
  state.adam.apply(state.params, new Map(names.map((k, i) => [k, grads[i]])), step + 1, lr);
  tf.dispose(grads);
  updateEma(state.ema, state.params, emaDecay(s.emaRate, s.emaWarmup, step));
  return lossSum;
}
