/**
 * The seam between samplers and networks. A denoiser predicts the noise in x at one network time:
 *
 *   denoiser(x: [B,H,W,C], tInput: number, call: number) -> eps: [B,H,W,C]   (or a Promise of it)
 *
 * `tInput` is the network's (discrete-scale) time input, the same for the whole batch; `call` is
 * the 0-based index of this network evaluation within the sampling run, which is how a compiled
 * model schedule picks the zoo member for each NFE. A single model ignores `call`.
 *
 * A denoiser may be backed by TF.js (synchronous: it returns the tensor) or by ONNX Runtime
 * (asynchronous: `InferenceSession.run` resolves a promise; lib/onnx/onnx-denoiser.ts). Every
 * sampler is an async function that awaits each call, so both kinds drive the same samplers,
 * schedules and evaluations unchanged (awaiting a plain tensor costs one microtask per NFE and
 * changes no arithmetic). lib/zoo/sampling-engine.ts picks the engine and loads the zoo on it.
 *
 * Ownership: the returned tensor belongs to the caller (the sampler disposes it); the denoiser must
 * not keep or dispose `x`, and must not leave intermediates behind (wrap TF.js work in tf.tidy).
 * The samplers call the denoiser outside their tf.tidy blocks (a tidy cannot span an await).
 */
import type * as tf from '@tensorflow/tfjs';

export type Denoiser = (x: tf.Tensor4D, tInput: number, call: number) => tf.Tensor4D | Promise<tf.Tensor4D>;

/** A denoiser whose result is always a promise (what an ONNX Runtime model gives). */
export type AsyncDenoiser = (x: tf.Tensor4D, tInput: number, call: number) => Promise<tf.Tensor4D>;

/**
 * Disposes a denoiser output unless it is the input itself (a denoiser breaking the ownership rule
 * by returning x must not make the sampler free the sampler's own state).
 */
export function disposeOutput(eps: tf.Tensor, x: tf.Tensor): void {
  if (eps !== x) eps.dispose();
}
