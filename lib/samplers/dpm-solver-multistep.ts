/**
 * Multistep DPM-Solver (Lu et al., 2022, eps form) and multistep DPM-Solver++ (Lu et al., 2022b,
 * data-prediction form), orders 1-3, over a time grid t_T = tau_0 > tau_1 > ... > tau_M = t_0, one NFE
 * per step. Beyond the official OMS-DPM code (which leaves multistep schedules unimplemented): a model schedule
 * for these solvers is one model per step, and the network evaluated at tau_i is denoiser call i, so a
 * compiled schedule (`compileScheduleDenoiser`) with M calls drives them unchanged.
 *
 * Step i (1-based) goes from s = tau_{i-1} to t = tau_i, h = lambda_t - lambda_s, using the model
 * outputs m_0 (at tau_{i-1}), m_1 (at tau_{i-2}), m_2 (at tau_{i-3}). With h_0 = lambda(tau_{i-1}) -
 * lambda(tau_{i-2}), h_1 = lambda(tau_{i-2}) - lambda(tau_{i-3}), r_0 = h_0 / h, r_1 = h_1 / h and the
 * divided differences
 *
 *   D1_0 = (m_0 - m_1) / r_0,   D1_1 = (m_1 - m_2) / r_1,
 *   D1 = D1_0 + r_0 / (r_0 + r_1) (D1_0 - D1_1),   D2 = c (D1_0 - D1_1) / (r_0 + r_1),
 *
 * (Taylor: D1 = h m' + O(h^3), (D1_0 - D1_1) / (r_0 + r_1) = h^2 m'' / 2 + O(h^3), m' = dm/dlambda),
 * where c = 1 in the reference code (dpm_solver_pytorch.py; diffusers and k-diffusion's 3M agree)
 * and c = 2 for `thirdOrder: 'taylor'`. The phi_3 term needs D2 = h^2 m'', so with c = 1 the
 * order-3 update has an O(h^3) local error and is globally *second* order (measured 2.0 on
 * Gaussian data, test/samplers/dpm-solver-multistep.test.ts); c = 2 is globally third order.
 *
 * DPM-Solver (m = eps_theta, phi_1 = e^h - 1, phi_2 = phi_1 / h - 1, phi_3 = phi_2 / h - 1/2):
 *   order 1: x_t = (alpha_t / alpha_s) x_s - sigma_t phi_1 m_0
 *   order 2: x_t = (alpha_t / alpha_s) x_s - sigma_t phi_1 m_0 - (sigma_t phi_1 / 2) D1_0
 *   order 3: x_t = (alpha_t / alpha_s) x_s - sigma_t phi_1 m_0 - sigma_t phi_2 D1 - sigma_t phi_3 D2
 * DPM-Solver++ (m = x_theta, phi_1 = e^{-h} - 1, phi_2 = phi_1 / h + 1, phi_3 = phi_2 / h - 1/2):
 *   order 1: x_t = (sigma_t / sigma_s) x_s - alpha_t phi_1 m_0
 *   order 2: x_t = (sigma_t / sigma_s) x_s - alpha_t phi_1 m_0 - (alpha_t phi_1 / 2) D1_0       ("2M")
 *   order 3: x_t = (sigma_t / sigma_s) x_s - alpha_t phi_1 m_0 + alpha_t phi_2 D1 - alpha_t phi_3 D2
 *
 * Warm-up: step i uses order min(order, i) (not enough history yet); with `lowerOrderFinal` and
 * fewer than 10 steps, also min(.., M + 1 - i) at the end (the reference code's `lower_order_final`).
 * Tensors are [B,H,W,C] float32; scalar coefficients float64. The samplers are async (each NFE is
 * awaited, so TF.js and ONNX Runtime denoisers both drive them); the updates stay synchronous.
 */
import * as tf from '@tensorflow/tfjs';
import { ContinuousVpSchedule, LINEAR_VP } from '../diffusion/continuous-vp';
import { dpmSolverEndTime } from '../schedule/evaluations';
import { KitError } from '../util/errors';
import type { Denoiser } from './denoiser';
import { dataPrediction, noisePrediction } from './model-prediction';
import { SkipType, timeGrid } from './time-grid';

export const MULTISTEP_ALGORITHMS = ['dpmsolver', 'dpmsolver++'] as const;
/** 'dpmsolver': eps form (DPM-Solver); 'dpmsolver++': data-prediction form (DPM-Solver++). */
export type MultistepAlgorithm = (typeof MULTISTEP_ALGORITHMS)[number];

export interface MultistepOptions {
  /** Solver order 1, 2 or 3; default 2. */
  order?: number;
  /** Default 'dpmsolver' for `dpmSolverMultistepSample`; `dpmSolverPlusPlusSample` sets 'dpmsolver++'. */
  algorithm?: MultistepAlgorithm;
  /** Lower the order of the last steps when there are fewer than 10 steps; default true. */
  lowerOrderFinal?: boolean;
  /** Clip each predicted x0 to [-1, 1] (eps form: recompute eps); off by default, recorded by the caller. */
  clipDenoised?: boolean;
  /**
   * The order-3 update's second difference D2: 'reference' (default, c = 1, as the DPM-Solver code;
   * globally second order) or 'taylor' (c = 2, globally third order). See the file comment.
   */
  thirdOrder?: ThirdOrderVariant;
}

export const THIRD_ORDER_VARIANTS = ['reference', 'taylor'] as const;
export type ThirdOrderVariant = (typeof THIRD_ORDER_VARIANTS)[number];

/**
 * The M + 1 times of an M-NFE multistep run, t_T = t[0] > ... > t[M] = t_0 (DPM-Solver's
 * `get_time_steps`). Defaults: vp = LINEAR_VP, t_T = 1, t_0 = 1e-4 if M >= 15 else 1e-3, 'logSNR'.
 */
export function multistepTimes(nfe: number, vp: ContinuousVpSchedule = LINEAR_VP, tStart?: number, tEnd?: number, skipType: SkipType = 'logSNR'): number[] {
  if (!Number.isInteger(nfe) || nfe < 1) throw new KitError(`multistep NFE must be a positive integer, got ${nfe}`);
  return timeGrid(skipType, tStart ?? vp.T, tEnd ?? dpmSolverEndTime(nfe), nfe, vp);
}

/** The order of each of the M steps: warm-up min(order, i), and lower_order_final when M < 10. */
export function multistepOrders(steps: number, order: number, lowerOrderFinal = true): number[] {
  if (![1, 2, 3].includes(order)) throw new KitError(`multistep order must be 1, 2 or 3, got ${order}`);
  if (!Number.isInteger(steps) || steps < 1) throw new KitError(`multistep needs a positive integer number of steps, got ${steps}`);
  return Array.from({ length: steps }, (_, k) => {
    const i = k + 1;
    const warm = Math.min(order, i);
    return lowerOrderFinal && steps < 10 ? Math.min(warm, steps + 1 - i) : warm;
  });
}

/** A past model output m at time `time` (eps_theta or x_theta): [B,H,W,C]. */
export interface PastOutput {
  time: number;
  m: tf.Tensor4D;
}

/** D1_0, and for order 3 D1 and D2, from the newest-first history and the step size h. */
function differences(vp: ContinuousVpSchedule, prev: PastOutput[], h: number, order: number, variant: ThirdOrderVariant) {
  const [p0, p1, p2] = prev;
  const r0 = (vp.lambda(p0.time) - vp.lambda(p1.time)) / h;
  const d10 = tf.div(tf.sub(p0.m, p1.m), r0);
  if (order === 2) return { d10 };
  const r1 = (vp.lambda(p1.time) - vp.lambda(p2.time)) / h;
  const d11 = tf.div(tf.sub(p1.m, p2.m), r1);
  const diff = tf.sub(d10, d11);
  const c = variant === 'taylor' ? 2 : 1;
  return { d10, d1: tf.add(d10, tf.mul(diff, r0 / (r0 + r1))), d2: tf.mul(diff, c / (r0 + r1)) };
}

/** One multistep DPM-Solver (eps form) step of the given order from prev[0].time to t. prev newest first. */
export function multistepNoiseUpdate(
  x: tf.Tensor4D,
  prev: PastOutput[],
  t: number,
  order: number,
  vp: ContinuousVpSchedule,
  variant: ThirdOrderVariant = 'reference',
): tf.Tensor4D {
  return tf.tidy(() => {
    const s = prev[0].time;
    const h = vp.lambda(t) - vp.lambda(s);
    const sigmaT = vp.sigma(t);
    const phi1 = Math.expm1(h);
    const base = tf.sub(tf.mul(x, Math.exp(vp.logAlpha(t) - vp.logAlpha(s))), tf.mul(prev[0].m, sigmaT * phi1));
    if (order === 1) return base as tf.Tensor4D;
    const d = differences(vp, prev, h, order, variant);
    if (order === 2) return tf.sub(base, tf.mul(d.d10, 0.5 * sigmaT * phi1)) as tf.Tensor4D;
    const phi2 = phi1 / h - 1;
    const phi3 = phi2 / h - 0.5;
    return tf.sub(tf.sub(base, tf.mul(d.d1!, sigmaT * phi2)), tf.mul(d.d2!, sigmaT * phi3)) as tf.Tensor4D;
  });
}

/** One multistep DPM-Solver++ (data form) step of the given order from prev[0].time to t. prev newest first. */
export function multistepDataUpdate(
  x: tf.Tensor4D,
  prev: PastOutput[],
  t: number,
  order: number,
  vp: ContinuousVpSchedule,
  variant: ThirdOrderVariant = 'reference',
): tf.Tensor4D {
  return tf.tidy(() => {
    const s = prev[0].time;
    const h = vp.lambda(t) - vp.lambda(s);
    const alphaT = vp.alpha(t);
    const phi1 = Math.expm1(-h);
    const base = tf.sub(tf.mul(x, vp.sigma(t) / vp.sigma(s)), tf.mul(prev[0].m, alphaT * phi1));
    if (order === 1) return base as tf.Tensor4D;
    const d = differences(vp, prev, h, order, variant);
    if (order === 2) return tf.sub(base, tf.mul(d.d10, 0.5 * alphaT * phi1)) as tf.Tensor4D;
    const phi2 = phi1 / h + 1;
    const phi3 = phi2 / h - 0.5;
    return tf.sub(tf.add(base, tf.mul(d.d1!, alphaT * phi2)), tf.mul(d.d2!, alphaT * phi3)) as tf.Tensor4D;
  });
}

/**
 * Runs multistep DPM-Solver or DPM-Solver++ from x_T at times[0] to times[M] (M = times.length - 1
 * steps and NFEs; call i evaluates the network at times[i], i = 0..M-1). xT: [B,H,W,C]. The
 * denoiser may be synchronous (TF.js) or asynchronous (ONNX Runtime); each NFE is awaited, the
 * updates run in tf.tidy. Disposes its intermediates (also on errors); the result is the caller's.
 */
export async function dpmSolverMultistepSample(
  denoiser: Denoiser,
  xT: tf.Tensor4D,
  times: readonly number[],
  vp: ContinuousVpSchedule = LINEAR_VP,
  opts: MultistepOptions = {},
): Promise<tf.Tensor4D> {
  const algorithm = opts.algorithm ?? 'dpmsolver';
  if (!(MULTISTEP_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new KitError(`unknown multistep algorithm '${algorithm}'; allowed: ${MULTISTEP_ALGORITHMS.join(', ')}`);
  }
  if (times.length < 2) throw new Error(`multistep DPM-Solver needs at least 2 times (1 step), got ${times.length}`);
  times.forEach((u, i) => {
    if (!(u > 0 && u <= vp.T) || (i > 0 && !(u < times[i - 1]))) {
      throw new Error(`multistep times must strictly decrease within (0, ${vp.T}], got [${times}]`);
    }
  });
  const variant = opts.thirdOrder ?? 'reference';
  if (!(THIRD_ORDER_VARIANTS as readonly string[]).includes(variant)) {
    throw new KitError(`unknown third-order variant '${variant}'; allowed: ${THIRD_ORDER_VARIANTS.join(', ')}`);
  }
  const M = times.length - 1;
  const orders = multistepOrders(M, opts.order ?? 2, opts.lowerOrderFinal ?? true);
  const clip = opts.clipDenoised ?? false;
  const predict = algorithm === 'dpmsolver' ? noisePrediction : dataPrediction;
  const update = algorithm === 'dpmsolver' ? multistepNoiseUpdate : multistepDataUpdate;

  let x = tf.clone(xT);
  const prev: PastOutput[] = []; // newest first, at most 3
  try {
    for (let i = 0; i < M; i++) {
      prev.unshift({ time: times[i], m: await predict(denoiser, x, times[i], i, vp, clip) });
      if (prev.length > 3) prev.pop()!.m.dispose();
      const next = update(x, prev, times[i + 1], orders[i], vp, variant);
      x.dispose();
      x = next;
    }
  } catch (e) {
    x.dispose();
    throw e;
  } finally {
    for (const p of prev) p.m.dispose();
  }
  return x;
}

/** Multistep DPM-Solver++ (data prediction); order 2 = DPM-Solver++(2M). */
export function dpmSolverPlusPlusSample(
  denoiser: Denoiser,
  xT: tf.Tensor4D,
  times: readonly number[],
  vp: ContinuousVpSchedule = LINEAR_VP,
  opts: Omit<MultistepOptions, 'algorithm'> = {},
): Promise<tf.Tensor4D> {
  return dpmSolverMultistepSample(denoiser, xT, times, vp, { ...opts, algorithm: 'dpmsolver++' });
}
