/**
 * The fixed bank of starting noises x_T shared by every schedule of an experiment, so that FIDs of
 * different schedules are paired comparisons. Image i's noise depends only on (seed, i): any
 * subset or prefix of the bank is reproducible without generating the rest.
 */
import * as tf from '@tensorflow/tfjs';
import { itemNormals } from '../util/rng';

/** x_T for images [start, start + count), NHWC float32. */
export function noiseBank(seed: number, start: number, count: number, shape: { height: number; width: number; channels: number }): Float32Array {
  return itemNormals(count, shape.height * shape.width * shape.channels, seed, ['xT'], start);
}

export interface NoiseBankRun {
  seed: number;
  shape: { height: number; width: number; channels: number };
  /** first noise-bank image and how many */
  start: number;
  count: number;
  batchSize: number;
}

/**
 * Runs `sample` on noise-bank images [start, start + count), batch by batch, and hands each batch's
 * x_0 (float32 NHWC, `n` images starting at image `offset` of the run) to `each`. Both tensors of a
 * batch are disposed, also when sampling fails.
 */
export async function forEachNoiseBankBatch(
  run: NoiseBankRun,
  sample: (xT: tf.Tensor4D) => Promise<tf.Tensor4D>,
  each: (x0: Float32Array, offset: number, n: number) => void,
): Promise<void> {
  const { height, width, channels } = run.shape;
  for (let s = 0; s < run.count; s += run.batchSize) {
    const n = Math.min(run.batchSize, run.count - s);
    const xT = tf.tensor4d(noiseBank(run.seed, run.start + s, n, run.shape), [n, height, width, channels]);
    let x0: tf.Tensor4D;
    try {
      x0 = await sample(xT);
    } finally {
      xT.dispose();
    }
    try {
      each((await x0.data()) as Float32Array, s, n);
    } finally {
      x0.dispose();
    }
  }
}
