/**
 * What one training step sees, as a pure function of (seed, step): which images, which timesteps,
 * which noise. Because nothing depends on generator state carried between steps, a run resumed
 * from a checkpoint at step k draws exactly what the uninterrupted run drew at step k.
 */
import type { ImageDataset } from '../data/image-dataset';
import { fillNormal, permutation, streamRng } from '../util/rng';
import type { DiscreteSchedule } from './noise-schedule';

export interface TrainingBatch {
  /** x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, NHWC float32 */
  xt: Float32Array;
  /** eps, the regression target, NHWC float32 */
  eps: Float32Array;
  /** discrete timesteps 0..T-1 (network input) */
  t: Float32Array;
  count: number;
}

/** Epoch permutations are cached: consecutive steps mostly share one. */
export class BatchSampler {
  private cachedEpoch = -1;
  private cachedPerm: Int32Array = new Int32Array(0);
  private readonly imageSize: number;
  private readonly raw: Uint8Array;

  constructor(
    private readonly data: ImageDataset,
    private readonly schedule: DiscreteSchedule,
    private readonly seed: number,
    private readonly batchSize: number,
    private readonly randomFlip: boolean,
  ) {
    this.imageSize = data.height * data.width * data.channels;
    this.raw = new Uint8Array(batchSize * this.imageSize);
  }

  private perm(epoch: number): Int32Array {
    if (epoch !== this.cachedEpoch) {
      this.cachedPerm = permutation(this.data.count, streamRng(this.seed, 'epoch', epoch));
      this.cachedEpoch = epoch;
    }
    return this.cachedPerm;
  }

  /** Dataset indices of step `step`'s batch. */
  indices(step: number): Int32Array {
    const out = new Int32Array(this.batchSize);
    const n = this.data.count;
    for (let j = 0; j < this.batchSize; j++) {
      const g = step * this.batchSize + j;
      out[j] = this.perm(Math.floor(g / n))[g % n];
    }
    return out;
  }

  batch(step: number): TrainingBatch {
    const B = this.batchSize;
    const D = this.imageSize;
    const { height: H, width: W, channels: C } = this.data;
    this.data.readInto(this.indices(step), this.raw);
    const rng = streamRng(this.seed, 'batch', step);
    const t = new Float32Array(B);
    const flip = new Uint8Array(B);
    for (let i = 0; i < B; i++) {
      t[i] = Math.min(this.schedule.timesteps - 1, Math.floor(rng() * this.schedule.timesteps));
      flip[i] = this.randomFlip && rng() < 0.5 ? 1 : 0;
    }
    const eps = fillNormal(new Float32Array(B * D), streamRng(this.seed, 'noise', step));
    const xt = new Float32Array(B * D);
    for (let i = 0; i < B; i++) {
      const abar = this.schedule.alphasCumprod[t[i]];
      const a = Math.sqrt(abar);
      const s = Math.sqrt(1 - abar);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const sx = flip[i] ? W - 1 - x : x;
          for (let c = 0; c < C; c++) {
            const o = i * D + (y * W + x) * C + c;
            const x0 = this.raw[i * D + (y * W + sx) * C + c] / 127.5 - 1;
            xt[o] = a * x0 + s * eps[o];
          }
        }
      }
    }
    return { xt, eps, t, count: B };
  }
}
