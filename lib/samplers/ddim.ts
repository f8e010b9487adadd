/**
 * DDIM (Song et al., 2021) over the discrete DDPM schedule, as a pure function of a denoiser.
 *
 * For consecutive active timesteps t > s (s = -1 means "the clean image", alpha_bar = 1):
 *   eps  = denoiser(x_t, t)
 *   x0   = (x_t - sqrt(1 - a_t) eps) / sqrt(a_t)          [optionally clipped to [-1, 1], eps recomputed]
 *   c1   = eta * sqrt((1 - a_t / a_s) (1 - a_s) / (1 - a_t)),   c2 = sqrt(1 - a_s - c1^2)
 *   x_s  = sqrt(a_s) x0 + c1 z + c2 eps
 * with a = alpha_bar. eta = 0 is the deterministic DDIM used by OMS-DPM.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeOutput, type Denoiser } from './denoiser';

export interface DdimOptions {
  eta?: number;
  /** Clip the predicted x0 to [-1, 1] each step (needed by under-trained CPU-scale models). */
  clipDenoised?: boolean;
  /** Noise for eta > 0: one [B,H,W,C] draw per step, deterministic in this seed. */
  noiseSeed?: number;
}

/**
 * Discrete timesteps visited by a `steps`-NFE DDIM run, descending: exactly `steps` of them, so the
 * NFE is `steps` (fronts price single-model runs by their NFE).
 *
 * uniform: i * floor(T / steps) for i = 0..steps-1. The official DDIM code (ermongroup/ddim,
 *   `skip = T // steps; seq = range(0, T, skip)`) gives the same list exactly when steps divides T.
 *   Otherwise the official list is longer, ceil(T / floor(T / steps)) entries (steps + ceil(r /
 *   floor(T / steps)) with r = T mod steps > 0), and the kit's is its first `steps` entries: it
 *   leaves out the official run's top timesteps. At T = 1000 the two agree for the divisors 1, 2,
 *   4, 5, 8, 10, 20, 25, 40, 50, 100, ... and differ for 3, 6, 7, 9, 12, 14, 15, 16, 18, 30 and 60
 *   (official 4, 7, 8, 10, 13, 15, 16, 17, 19, 31 and 63 timesteps): e.g. 15 steps visit
 *   924, 858, ..., 66, 0 here (spacing 66) and 990, 924, ..., 0 (16 NFEs) in the official code.
 *   The kit keeps NFE = steps on purpose; committed results use this definition.
 * quadratic: floor((i * sqrt(0.8 T) / (steps - 1))^2) as in the official code, except that a
 *   timestep equal to the one before is moved one up (official: repeated), so all are distinct.
 */
export function ddimTimesteps(T: number, steps: number, skip: 'uniform' | 'quadratic' = 'uniform'): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > T) throw new Error(`DDIM steps must be an integer in 1..${T}, got ${steps}`);
  let seq: number[];
  if (skip === 'uniform') {
    const stride = Math.floor(T / steps);
    seq = Array.from({ length: steps }, (_, i) => i * stride);
  } else {
    const top = Math.sqrt(T * 0.8);
    seq = Array.from({ length: steps }, (_, i) => Math.floor((steps === 1 ? 0 : (top * i) / (steps - 1)) ** 2));
    for (let i = 1; i < seq.length; i++) if (seq[i] <= seq[i - 1]) seq[i] = seq[i - 1] + 1;
  }
  return seq.reverse();
}

/**
 * Runs DDIM from x_T through `timesteps` (descending discrete indices) and resolves to x_0.
 * x: [B,H,W,C]; alphasCumprod: length T. The denoiser may be synchronous (TF.js) or asynchronous
 * (ONNX Runtime); each call is awaited outside the step's tf.tidy, whose arithmetic is unchanged.
 * Disposes its intermediates (also when the denoiser throws); the result is the caller's.
 */
export async function ddimSample(denoiser: Denoiser, xT: tf.Tensor4D, timesteps: number[], alphasCumprod: ArrayLike<number>, opts: DdimOptions = {}): Promise<tf.Tensor4D> {
  const eta = opts.eta ?? 0;
  const clip = opts.clipDenoised ?? false;
  let x = tf.clone(xT);
  try {
    for (let i = 0; i < timesteps.length; i++) {
      const t = timesteps[i];
      if (i > 0 && t >= timesteps[i - 1]) throw new Error(`DDIM timesteps must strictly decrease; got ${timesteps[i - 1]} then ${t}`);
      const s = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
      const at = alphasCumprod[t];
      const as = s >= 0 ? alphasCumprod[s] : 1;
      const epsRaw = await denoiser(x, t, i);
      const xt = x;
      let next: tf.Tensor4D;
      try {
        next = tf.tidy(() => {
          let eps: tf.Tensor = epsRaw;
          let x0 = tf.div(tf.sub(xt, tf.mul(eps, Math.sqrt(1 - at))), Math.sqrt(at));
          if (clip) {
            x0 = tf.clipByValue(x0, -1, 1);
            eps = tf.div(tf.sub(xt, tf.mul(x0, Math.sqrt(at))), Math.sqrt(1 - at));
          }
          const c1 = eta * Math.sqrt(((1 - at / as) * (1 - as)) / (1 - at));
          const c2 = Math.sqrt(Math.max(0, 1 - as - c1 * c1));
          let out = tf.add(tf.mul(x0, Math.sqrt(as)), tf.mul(eps, c2));
          if (c1 > 0) out = tf.add(out, tf.mul(tf.randomNormal(xt.shape, 0, 1, 'float32', (opts.noiseSeed ?? 0) * 1000 + i), c1));
          return out as tf.Tensor4D;
        });
      } finally {
        disposeOutput(epsRaw, xt);
      }
      x.dispose();
      x = next;
    }
  } catch (e) {
    x.dispose();
    throw e;
  }
  return x;
}
