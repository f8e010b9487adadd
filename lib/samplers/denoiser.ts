/**
 * The seam between samplers and networks. A denoiser predicts the noise in x at one network time:
 *
 *   denoiser(x: [B,H,W,C], tInput: number, call: number) -> eps: [B,H,W,C]
 *
 * `tInput` is the network's (discrete-scale) time input, the same for the whole batch; `call` is
 * the 0-based index of this network evaluation within the sampling run, which is how a compiled
 * model schedule picks the zoo member for each NFE. A single model ignores `call`.
 * The returned tensor belongs to the caller.
 */
import type * as tf from '@tensorflow/tfjs';

export type Denoiser = (x: tf.Tensor4D, tInput: number, call: number) => tf.Tensor4D;
