/**
 * Held-out denoising loss of each zoo member: the zoo's quality gradient measured on images the
 * trainer never saw (the stored validation split), with the EMA weights, on the engine that samples.
 *
 * For timesteps t on a fixed grid and validation images x_0 (pixels in [-1, 1]),
 *
 *   L(t) = mean over images and pixels of ( eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t) - eps )^2
 *
 * with eps ~ N(0, I) drawn once per (grid point, image) from a fixed seed. Every member sees the
 * same x_t and eps (common random numbers), so differences between members are differences of the
 * networks, not of noise draws. The grid is the midpoints of `timesteps` equal bins of 0..T-1, so
 * the mean of L(t) over the grid estimates the training objective (t uniform on 0..T-1) with the
 * same per-pixel normalisation as the training log's `mse`.
 *
 * Why this beside FID: the training log's loss is a running mean over training batches of the raw
 * (not EMA) weights, and FID measures samples of a whole schedule; L(t) says which member denoises better at which
 * noise level, which is what a model schedule chooses between.
 *
 * The image-mean ("DC") part of the prediction, which L(t) barely sees (one direction of H W C):
 * with dc(v) the mean of v over an image's pixels,
 *
 *   dcGain(t)  = slope of dc(eps_theta) on dc(eps) over images (1 = the noise's level fully predicted)
 *   dcError(t) = sd over images of dc(eps_theta - eps) * sqrt((1 - abar_t) / abar_t)
 *
 * dcError is the error of the predicted x_0's mean brightness (pixels in [-1, 1]) that the
 * prediction implies: DDIM keeps an unpredicted level of the starting noise as image brightness,
 * so a member with a large dcError at high t draws samples far brighter (or darker) than any real
 * image although its per-pixel L(t) is good (shared/reference/zoo-bright-failures.md).
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/image-dataset';
import { toModelInput } from '../data/batch';
import type { DiscreteSchedule } from '../diffusion/noise-schedule';
import { itemNormals } from '../util/rng';
import { disposeOutput } from '../samplers/denoiser';
import { KitError } from '../util/errors';
import type { SamplingModel } from './sampling-engine';

/** Validation images used by default (the first of the stored validation split's order). */
export const VALIDATION_LOSS_IMAGES = 1024;
/** Grid points on 0..T-1 by default (bins of 100 steps at T = 1000). */
export const VALIDATION_LOSS_TIMESTEPS = 10;
/** Seed of the noise shared by all members. */
export const VALIDATION_LOSS_SEED = 2023;

export interface ValidationLossOptions {
  /** images taken from `data` (default VALIDATION_LOSS_IMAGES, at most data.count) */
  images?: number;
  /** grid points on 0..T-1 (default VALIDATION_LOSS_TIMESTEPS) */
  timesteps?: number;
  batchSize: number;
  seed?: number;
  /** called after each (batch, grid point) with all members evaluated on it */
  onProgress?: (done: number, total: number) => void;
}

export interface ModelValidationLoss {
  modelId: string;
  /** mean of L(t) over the grid */
  mse: number;
  /** L(t) at each grid point, in grid order */
  perTimestep: number[];
  /** dcGain(t) and dcError(t) at each grid point (see the file comment) */
  dcGain: number[];
  dcError: number[];
}

export interface ValidationLoss {
  images: number;
  /** the grid of network time inputs t */
  timesteps: number[];
  seed: number;
  models: ModelValidationLoss[];
}

/** Midpoints of `k` equal bins of 0..T-1, rounded down: k = 10, T = 1000 gives 50, 150, ..., 950. */
export function validationTimesteps(T: number, k: number): number[] {
  if (!Number.isInteger(k) || k < 1 || k > T) throw new KitError(`validation-loss timesteps must be an integer in 1..${T}, got ${k}`);
  return Array.from({ length: k }, (_, i) => Math.floor(((i + 0.5) * T) / k));
}

/**
 * L(t) of every model on the first `images` images of `data` (see the file comment). Models are
 * evaluated one batch at a time on the same x_t, so they share every noise draw.
 */
export async function validationLoss(models: readonly Pick<SamplingModel, 'modelId' | 'denoiser'>[], data: ImageDataset, schedule: DiscreteSchedule, opts: ValidationLossOptions): Promise<ValidationLoss> {
  if (opts.images !== undefined && !(Number.isInteger(opts.images) && opts.images >= 1)) throw new KitError(`validation loss: images must be a positive integer, got ${opts.images}`);
  if (data.count === 0) throw new KitError(`validation loss: ${data.name} has no images to evaluate on`, { hint: 'give the dataset a validation split: dataset.validationFraction > 0' });
  const images = Math.min(opts.images ?? VALIDATION_LOSS_IMAGES, data.count);
  const seed = opts.seed ?? VALIDATION_LOSS_SEED;
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new KitError(`validation loss: batch size must be a positive integer, got ${opts.batchSize}`);
  if (models.length === 0) throw new KitError('validation loss: no models to evaluate');
  const grid = validationTimesteps(schedule.timesteps, opts.timesteps ?? VALIDATION_LOSS_TIMESTEPS);
  const { height: H, width: W, channels: C } = data;
  const D = H * W * C;
  const batches = Math.ceil(images / opts.batchSize);
  // sums of squared errors per model and grid point; divided by images * D at the end
  const sse = models.map(() => new Float64Array(grid.length));
  // per model and grid point: sums over images of dc(pred) dc(eps), dc(eps)^2, dc(pred - eps), dc(pred - eps)^2
  const dc = models.map(() => grid.map((): DcSums => ({ pe: 0, ee: 0, d: 0, dd: 0 })));
  let done = 0;
  for (let b = 0; b < batches; b++) {
    const from = b * opts.batchSize;
    const n = Math.min(opts.batchSize, images - from);
    const raw = new Uint8Array(n * D);
    data.readInto(Int32Array.from({ length: n }, (_, i) => from + i), raw);
    const x0 = toModelInput(raw, n, H, W, C);
    for (let g = 0; g < grid.length; g++) {
      const t = grid[g];
      // one noise stream per (t, image): the result does not depend on the batch size
      const eps = itemNormals(n, D, seed, ['validation-loss', t], from);
      const a = Math.sqrt(schedule.alphasCumprod[t]);
      const s = Math.sqrt(1 - schedule.alphasCumprod[t]);
      const xtValues = new Float32Array(n * D);
      for (let i = 0; i < xtValues.length; i++) xtValues[i] = a * x0[i] + s * eps[i];
      const xt = tf.tensor4d(xtValues, [n, H, W, C]);
      try {
        for (let m = 0; m < models.length; m++) {
          const out = await models[m].denoiser(xt, t, 0);
          const pred = out.dataSync();
          disposeOutput(out, xt);
          if (pred.length !== eps.length) throw new KitError(`validation loss: ${models[m].modelId} returned ${pred.length} values for a batch of ${n} x ${H}x${W}x${C}`);
          const sum = accumulateErrors(pred, eps, n, D, dc[m][g]);
          if (!Number.isFinite(sum)) throw new KitError(`validation loss: ${models[m].modelId} predicts non-finite noise at t = ${t}`, { hint: `the weights are damaged or diverged: retrain the model (train-zoo --model ${models[m].modelId})` });
          sse[m][g] += sum;
        }
      } finally {
        xt.dispose();
      }
      opts.onProgress?.(++done, batches * grid.length);
    }
  }
  return {
    images,
    timesteps: grid,
    seed,
    models: models.map((m, k) => modelLoss(m.modelId, sse[k], dc[k], { images, D, grid, schedule })),
  };
}

/** Sums over images of dc(pred) dc(eps), dc(eps)^2, dc(pred - eps), dc(pred - eps)^2 (dc: the image mean). */
interface DcSums { pe: number; ee: number; d: number; dd: number }

/**
 * Adds one batch of `n` images of `D` values to a model's DC sums at one grid point and returns
 * the batch's sum of squared errors (non-finite when the model predicts non-finite noise).
 */
function accumulateErrors(pred: ArrayLike<number>, eps: ArrayLike<number>, n: number, D: number, acc: DcSums): number {
  let sum = 0;
  for (let j = 0; j < n; j++) {
    let sp = 0;
    let se = 0;
    for (let i = j * D; i < (j + 1) * D; i++) {
      const d = pred[i] - eps[i];
      sum += d * d;
      sp += pred[i];
      se += eps[i];
    }
    sp /= D;
    se /= D;
    acc.pe += sp * se;
    acc.ee += se * se;
    acc.d += sp - se;
    acc.dd += (sp - se) ** 2;
  }
  return sum;
}

/** A model's L(t), DC gain and DC error at each grid point from its sums over all images. */
function modelLoss(modelId: string, sse: Float64Array, dc: readonly DcSums[], o: { images: number; D: number; grid: readonly number[]; schedule: DiscreteSchedule }): ModelValidationLoss {
  const { images, grid } = o;
  const perTimestep = Array.from(sse, (v) => v / (images * o.D));
  // a slope through the origin (dc(eps) has expectation 0); the sd of dc(pred - eps) is about its own mean
  const dcGain = dc.map((a) => a.pe / a.ee);
  const dcError = dc.map((a, g) => {
    const abar = o.schedule.alphasCumprod[grid[g]];
    const sd = Math.sqrt(Math.max(0, (a.dd - (a.d * a.d) / images) / Math.max(1, images - 1)));
    return sd * Math.sqrt((1 - abar) / abar);
  });
  return { modelId, mse: perTimestep.reduce((p, v) => p + v, 0) / grid.length, perTimestep, dcGain, dcError };
}
