/**
 * The two parameterisations of the network the continuous-time solvers use (DPM-Solver's
 * `noise_prediction_fn` / `data_prediction_fn`), from an epsilon-predicting denoiser at
 * continuous time t of the VP schedule x_t = alpha_t x_0 + sigma_t eps:
 *
 *   noise prediction  eps_theta(x_t, t) = denoiser(x_t, N * max(t - 1/N, 0), call)
 *   data prediction   x_theta(x_t, t)   = (x_t - sigma_t eps_theta(x_t, t)) / alpha_t
 *
 * With `clip`, x_theta is clipped to [-1, 1] and eps_theta recomputed from it,
 * eps = (x_t - alpha_t clip(x_theta)) / sigma_t, as in DDIM's `clipDenoised`.
 * Shapes: x, eps, x_theta all [B,H,W,C]. Results belong to the caller. Both are async: the denoiser
 * may be TF.js (sync) or ONNX Runtime (async); it is awaited outside the tf.tidy of the arithmetic.
 */
import * as tf from '@tensorflow/tfjs';
import type { ContinuousVpSchedule } from '../diffusion/continuous-vp';
import { disposeOutput, type Denoiser } from './denoiser';

/** One network evaluation at continuous time t: the raw eps (awaited), with a shape check. */
async function evaluate(denoiser: Denoiser, x: tf.Tensor4D, t: number, call: number, vp: ContinuousVpSchedule): Promise<tf.Tensor4D> {
  const eps = await denoiser(x, vp.modelTimeInput(t), call);
  if (eps.shape.length !== 4 || eps.shape.some((d, i) => d !== x.shape[i])) {
    const shape = eps.shape;
    disposeOutput(eps, x);
    throw new Error(`denoiser call ${call} returned shape [${shape}], expected the input's [${x.shape}]`);
  }
  return eps;
}

/** eps_theta(x_t, t): [B,H,W,C]; with `clip`, recomputed from the clipped x_theta. */
export async function noisePrediction(denoiser: Denoiser, x: tf.Tensor4D, t: number, call: number, vp: ContinuousVpSchedule, clip: boolean): Promise<tf.Tensor4D> {
  const eps = await evaluate(denoiser, x, t, call, vp);
  if (!clip) return eps === x ? tf.clone(eps) : eps;
  try {
    return tf.tidy(() => {
      const alpha = vp.alpha(t);
      const sigma = vp.sigma(t);
      const x0 = tf.clipByValue(tf.div(tf.sub(x, tf.mul(eps, sigma)), alpha), -1, 1);
      return tf.div(tf.sub(x, tf.mul(x0, alpha)), sigma) as tf.Tensor4D;
    });
  } finally {
    disposeOutput(eps, x);
  }
}

/** x_theta(x_t, t) = (x_t - sigma_t eps_theta) / alpha_t: [B,H,W,C]; with `clip`, clipped to [-1, 1]. */
export async function dataPrediction(denoiser: Denoiser, x: tf.Tensor4D, t: number, call: number, vp: ContinuousVpSchedule, clip: boolean): Promise<tf.Tensor4D> {
  const eps = await evaluate(denoiser, x, t, call, vp);
  try {
    return tf.tidy(() => {
      const x0 = tf.div(tf.sub(x, tf.mul(eps, vp.sigma(t))), vp.alpha(t)) as tf.Tensor4D;
      return clip ? tf.clipByValue(x0, -1, 1) : x0;
    });
  } finally {
    disposeOutput(eps, x);
  }
}
