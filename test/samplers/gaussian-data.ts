/**
 * Gaussian data x_0 ~ N(0, s^2) per pixel on the continuous VP schedule: the exact noise predictor
 * and the exact probability-flow ODE map, for convergence tests of the continuous-time solvers.
 *
 *   x_t ~ N(0, alpha_t^2 s^2 + sigma_t^2),   eps*(x_t, t) = sigma_t x_t / (alpha_t^2 s^2 + sigma_t^2),
 *
 * and along the probability-flow ODE x_t / sqrt(alpha_t^2 s^2 + sigma_t^2) is constant, so
 * x_{t_0} = x_{t_T} sqrt(alpha_0^2 s^2 + sigma_0^2) / sqrt(alpha_T^2 s^2 + sigma_T^2).
 */
import * as tf from '@tensorflow/tfjs';
import type { ContinuousVpSchedule } from '../../lib/diffusion/continuous-vp';
import type { Denoiser } from '../../lib/samplers/denoiser';

/** Marginal std of x_t: sqrt(alpha_t^2 s^2 + sigma_t^2). */
export function marginalStd(vp: ContinuousVpSchedule, t: number, s: number): number {
  const a = vp.alpha(t);
  return Math.sqrt(a * a * s * s + vp.sigma(t) ** 2);
}

/**
 * The exact eps predictor. The sampler passes the network input N * max(t - 1/N, 0); t is recovered
 * as tInput / N + 1/N, so every evaluation time must be > 1/N (use t_0 >= 1/N).
 */
export function gaussianDenoiser(vp: ContinuousVpSchedule, s: number): Denoiser {
  return (x, tInput) => {
    if (!(tInput > 0)) throw new Error(`gaussianDenoiser: time input ${tInput} <= 0 cannot be inverted; keep t > 1/N`);
    const t = tInput / vp.totalN + 1 / vp.totalN;
    const sd = marginalStd(vp, t, s);
    return tf.tidy(() => tf.mul(x, vp.sigma(t) / (sd * sd)) as tf.Tensor4D);
  };
}

/** The fixed starting noise of the tests: [1, 2, 2, 1]. */
export const X_T = [0.3, -1.2, 2.0, 0.7];

/** Relative L2 error of a sampler's x_{t_0} against the exact ODE solution from tStart to tEnd. */
export async function relErrorToOde(run: (xT: tf.Tensor4D) => Promise<tf.Tensor4D>, vp: ContinuousVpSchedule, s: number, tStart: number, tEnd: number): Promise<number> {
  const xT = tf.tensor4d(X_T, [1, 2, 2, 1]);
  const x0 = await run(xT);
  const got = x0.dataSync();
  tf.dispose([xT, x0]);
  const f = marginalStd(vp, tEnd, s) / marginalStd(vp, tStart, s);
  let num = 0;
  let den = 0;
  X_T.forEach((v, i) => {
    num += (got[i] - v * f) ** 2;
    den += (v * f) ** 2;
  });
  return Math.sqrt(num / den);
}

/** f(n) for each n, one after another (the samplers are async). */
export async function inSequence<T>(ns: readonly number[], f: (n: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const n of ns) out.push(await f(n));
  return out;
}
