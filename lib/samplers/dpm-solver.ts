/**
 * Single-step DPM-Solver-1/2/3 (Lu et al., NeurIPS 2022, Algorithms 1-2 with the 'dpmsolver'
 * update type) for an epsilon-predicting network on the continuous VP schedule, as a pure function
 * of (denoiser, x_T, steps). This is the sampler that OMS-DPM's DPM-Solver model schedules drive
 * (method doc §3): a schedule's `dpmSolverSteps` run here unchanged, each NFE calling
 * `denoiser(x, N * max(time - 1/N, 0), callIndex)` so a compiled schedule picks its zoo member.
 *
 * Notation: alpha_t, sigma_t, lambda_t = log(alpha_t / sigma_t) of the schedule; one step goes from
 * s to t < s with h = lambda_t - lambda_s > 0; eps_theta is the noise prediction, phi_1(z) = e^z - 1.
 * The k evaluation points of an order-k step are s = s_0 > s_1 > s_2 with lambda_{s_j} = lambda_s + r_j h
 * (the default r = 0; 0, 1/2; 0, 1/3, 2/3 is uniform in lambda).
 *
 *   DPM-Solver-1 (= DDIM, eta 0):
 *     x_t = (alpha_t / alpha_s) x_s - sigma_t (e^h - 1) eps_s
 *   DPM-Solver-2:
 *     u   = (alpha_s1 / alpha_s) x_s - sigma_s1 (e^{r1 h} - 1) eps_s
 *     x_t = (alpha_t / alpha_s) x_s - sigma_t (e^h - 1) eps_s - (sigma_t / (2 r1)) (e^h - 1) (eps(u, s1) - eps_s)
 *   DPM-Solver-3:
 *     u1  = (alpha_s1 / alpha_s) x_s - sigma_s1 (e^{r1 h} - 1) eps_s
 *     D1  = eps(u1, s1) - eps_s
 *     u2  = (alpha_s2 / alpha_s) x_s - sigma_s2 (e^{r2 h} - 1) eps_s - (r2 / r1) sigma_s2 ((e^{r2 h} - 1) / (r2 h) - 1) D1
 *     x_t = (alpha_t / alpha_s) x_s - sigma_t (e^h - 1) eps_s - (sigma_t / r2) ((e^h - 1) / h - 1) (eps(u2, s2) - eps_s)
 *
 * Scalar coefficients are computed in float64; tensors are [B,H,W,C] float32. The sampler and the
 * order-2/3 updates are async (each NFE is awaited, so TF.js and ONNX Runtime denoisers both work);
 * the arithmetic between NFEs runs in tf.tidy blocks, op for op as in the synchronous formulation.
 */
import * as tf from '@tensorflow/tfjs';
import { ContinuousVpSchedule, LINEAR_VP } from '../diffusion/continuous-vp';
import { dpmSolverEndTime, dpmSolverSteps } from '../schedule/evaluations';
import { GROUP_SIZE } from '../schedule/types';
import { KitError } from '../util/errors';
import type { Denoiser } from './denoiser';
import { noisePrediction } from './model-prediction';
import { SkipType, checkSkipType, timeGrid } from './time-grid';

/**
 * One single step from s down to t: what `dpmSolverSteps` of a model schedule yields (its extra
 * fields are ignored) and what `dpmSolverStepsForNfe` returns.
 */
export interface SinglestepStep {
  /** Order k in {1, 2, 3} = the step's number of NFEs. */
  readonly order: number;
  /** Start time s (continuous, in (0, T]). */
  readonly s: number;
  /** End time t, 0 < t < s. */
  readonly t: number;
  /**
   * The k evaluation times s = times[0] > times[1] > ... > t. Default: uniform in lambda,
   * lambda(times[j]) = lambda_s + (j / k) h. The update's r_j are (lambda(times[j]) - lambda_s) / h.
   */
  readonly times?: readonly number[];
}

export interface DpmSolverOptions {
  /** Clip each predicted x0 to [-1, 1] and recompute eps (off by default; the caller records it). */
  clipDenoised?: boolean;
}

/** The network as the single-step updates see it: eps_theta(x, time), counting calls (awaited). */
type NoiseModel = (x: tf.Tensor4D, time: number) => Promise<tf.Tensor4D>;

/** Awaits `model(u, time)` and disposes `u` afterwards, whatever happens. */
async function evaluateAt(model: NoiseModel, u: tf.Tensor4D, time: number): Promise<tf.Tensor4D> {
  try {
    return await model(u, time);
  } finally {
    u.dispose();
  }
}

/** Runs `f` in a tf.tidy, then disposes `done` (network outputs the update has consumed). */
function tidyThenDispose<T extends tf.Tensor>(f: () => T, done: tf.Tensor[]): T {
  try {
    return tf.tidy(f);
  } finally {
    tf.dispose(done);
  }
}

/** The scalars of one step: the log-alpha difference, sigma and lambda at time `u` relative to s. */
function coefficients(vp: ContinuousVpSchedule, s: number, u: number) {
  return {
    /** alpha_u / alpha_s */
    alphaRatio: Math.exp(vp.logAlpha(u) - vp.logAlpha(s)),
    sigma: vp.sigma(u),
    /** lambda_u - lambda_s */
    dLambda: vp.lambda(u) - vp.lambda(s),
  };
}

/** DPM-Solver-1 from s to t given eps_s = eps_theta(x_s, s). x, epsS: [B,H,W,C]. */
export function dpmSolver1Update(x: tf.Tensor4D, s: number, t: number, epsS: tf.Tensor4D, vp: ContinuousVpSchedule): tf.Tensor4D {
  const c = coefficients(vp, s, t);
  return tf.tidy(() => tf.sub(tf.mul(x, c.alphaRatio), tf.mul(epsS, c.sigma * Math.expm1(c.dLambda))) as tf.Tensor4D);
}

/**
 * DPM-Solver-2 from s to t through s1 (lambda_s1 = lambda_s + r1 h); eps_s given, one more NFE at
 * s1 (awaited between the two tf.tidy blocks of the update's arithmetic).
 */
export async function dpmSolver2Update(model: NoiseModel, x: tf.Tensor4D, s: number, t: number, s1: number, epsS: tf.Tensor4D, vp: ContinuousVpSchedule): Promise<tf.Tensor4D> {
  const ct = coefficients(vp, s, t);
  const c1 = coefficients(vp, s, s1);
  const h = ct.dLambda;
  const r1 = c1.dLambda / h;
  const phi1 = Math.expm1(h);
  const eps1 = await evaluateAt(model, dpmSolver1Update(x, s, s1, epsS, vp), s1);
  return tidyThenDispose(() => {
    const d1 = tf.sub(eps1, epsS);
    return tf.sub(tf.sub(tf.mul(x, ct.alphaRatio), tf.mul(epsS, ct.sigma * phi1)), tf.mul(d1, (0.5 / r1) * ct.sigma * phi1)) as tf.Tensor4D;
  }, [eps1]);
}

/** DPM-Solver-3 from s to t through s1, s2 (r1 < r2 < 1); eps_s given, two more NFEs at s1 then s2. */
export async function dpmSolver3Update(
  model: NoiseModel,
  x: tf.Tensor4D,
  s: number,
  t: number,
  s1: number,
  s2: number,
  epsS: tf.Tensor4D,
  vp: ContinuousVpSchedule,
): Promise<tf.Tensor4D> {
  const ct = coefficients(vp, s, t);
  const c1 = coefficients(vp, s, s1);
  const c2 = coefficients(vp, s, s2);
  const h = ct.dLambda;
  const r1 = c1.dLambda / h;
  const r2 = c2.dLambda / h;
  const phi1 = Math.expm1(h);
  const phi2 = phi1 / h - 1;
  const phi12 = Math.expm1(r2 * h);
  const phi22 = phi12 / (r2 * h) - 1;

  const eps1 = await evaluateAt(model, dpmSolver1Update(x, s, s1, epsS, vp), s1);
  const u2 = tidyThenDispose(() => {
    const d1 = tf.sub(eps1, epsS);
    return tf.sub(tf.sub(tf.mul(x, c2.alphaRatio), tf.mul(epsS, c2.sigma * phi12)), tf.mul(d1, (r2 / r1) * c2.sigma * phi22)) as tf.Tensor4D;
  }, [eps1]);
  const eps2 = await evaluateAt(model, u2, s2);
  return tidyThenDispose(() => {
    const d2 = tf.sub(eps2, epsS);
    return tf.sub(tf.sub(tf.mul(x, ct.alphaRatio), tf.mul(epsS, ct.sigma * phi1)), tf.mul(d2, (ct.sigma * phi2) / r2)) as tf.Tensor4D;
  }, [eps2]);
}

/** The k evaluation times of a step: its own `times`, else uniform in lambda between s and t. */
export function stepTimes(step: SinglestepStep, vp: ContinuousVpSchedule): number[] {
  if (step.times !== undefined) return [...step.times];
  const ls = vp.lambda(step.s);
  const h = vp.lambda(step.t) - ls;
  return Array.from({ length: step.order }, (_, j) => (j === 0 ? step.s : vp.inverseLambda(ls + (j / step.order) * h)));
}

/** Checks orders, time ranges, inner times, and that each step starts where the previous one ended. */
function validateSteps(steps: readonly SinglestepStep[], vp: ContinuousVpSchedule): void {
  if (steps.length === 0) throw new Error('DPM-Solver needs at least one step');
  const same = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  steps.forEach((st, i) => {
    if (![1, 2, 3].includes(st.order)) throw new Error(`DPM-Solver step ${i}: order must be 1, 2 or 3, got ${st.order}`);
    if (!(st.s <= vp.T && st.s > st.t && st.t > 0)) throw new Error(`DPM-Solver step ${i}: needs T >= s > t > 0 (T = ${vp.T}), got s = ${st.s}, t = ${st.t}`);
    if (i > 0 && !same(st.s, steps[i - 1].t)) throw new Error(`DPM-Solver step ${i} starts at s = ${st.s} but step ${i - 1} ended at t = ${steps[i - 1].t}`);
    if (st.times !== undefined) {
      const ts = st.times;
      const ok = ts.length === st.order && same(ts[0], st.s) && ts.every((u, j) => j === 0 || (u < ts[j - 1] && u > st.t));
      if (!ok) throw new Error(`DPM-Solver step ${i}: times must be ${st.order} decreasing values from s = ${st.s} down to above t = ${st.t}, got [${ts}]`);
    }
  });
}

/**
 * Runs single-step DPM-Solver from x_T at steps[0].s through every step and resolves to x at the
 * last step's t. xT: [B,H,W,C]. NFE = sum of the steps' orders; call i of the denoiser is the i-th
 * NFE in the order of `evaluations()`. The denoiser may be synchronous (TF.js) or asynchronous
 * (ONNX Runtime). Disposes its intermediates (also on errors); the result is the caller's.
 */
export async function dpmSolverSample(
  denoiser: Denoiser,
  xT: tf.Tensor4D,
  steps: readonly SinglestepStep[],
  vp: ContinuousVpSchedule = LINEAR_VP,
  opts: DpmSolverOptions = {},
): Promise<tf.Tensor4D> {
  validateSteps(steps, vp);
  const clip = opts.clipDenoised ?? false;
  let call = 0;
  const model: NoiseModel = (x, time) => noisePrediction(denoiser, x, time, call++, vp, clip);
  let x = tf.clone(xT);
  try {
    for (const step of steps) {
      const times = stepTimes(step, vp);
      const epsS = await model(x, step.s);
      let next: tf.Tensor4D;
      try {
        if (step.order === 1) next = dpmSolver1Update(x, step.s, step.t, epsS, vp);
        else if (step.order === 2) next = await dpmSolver2Update(model, x, step.s, step.t, times[1], epsS, vp);
        else next = await dpmSolver3Update(model, x, step.s, step.t, times[1], times[2], epsS, vp);
      } finally {
        epsS.dispose();
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

/** How `dpmSolverStepsForNfe` splits the NFE into single steps (the reference code's `method`). */
export const SINGLESTEP_METHODS = ['singlestep', 'singlestep_fixed'] as const;
export type SinglestepMethod = (typeof SINGLESTEP_METHODS)[number];

/**
 * Step orders for `nfe` NFEs (DPM-Solver's `get_orders_and_timesteps_for_singlestep_solver`):
 *
 * - 'singlestep' (DPM-Solver-fast), order 3: K = nfe // 3 + 1 steps,
 *     nfe % 3 == 0: [3, ..., 3, 2, 1];  == 1: [3, ..., 3, 1];  == 2: [3, ..., 3, 2]
 *   order 2: [2, ..., 2] (+ [1] if nfe is odd); order 1: nfe x [1].
 * - 'singlestep_fixed': nfe / order steps of DPM-Solver-`order`; nfe must be divisible by the order.
 */
export function singlestepOrders(nfe: number, order: number, method: SinglestepMethod = 'singlestep'): number[] {
  if (!Number.isInteger(nfe) || nfe < 1) throw new KitError(`DPM-Solver NFE must be a positive integer, got ${nfe}`);
  if (![1, 2, 3].includes(order)) throw new KitError(`DPM-Solver order must be 1, 2 or 3, got ${order}`);
  if (!(SINGLESTEP_METHODS as readonly string[]).includes(method)) {
    throw new KitError(`unknown single-step method '${method}'; allowed: ${SINGLESTEP_METHODS.join(', ')}`);
  }
  if (method === 'singlestep_fixed') {
    if (nfe % order !== 0) {
      throw new KitError(`singlestep_fixed DPM-Solver-${order} needs an NFE divisible by ${order}, got ${nfe}`, {
        hint: `use NFE ${order * Math.max(1, Math.floor(nfe / order))} or ${order * (Math.floor(nfe / order) + 1)}, or method 'singlestep'`,
      });
    }
    return new Array<number>(nfe / order).fill(order);
  }
  if (order === 1) return new Array<number>(nfe).fill(1);
  if (order === 2) return [...new Array<number>(Math.floor(nfe / 2)).fill(2), ...(nfe % 2 === 1 ? [1] : [])];
  const K = Math.floor(nfe / 3) + 1;
  const tail = [[2, 1], [1], [2]][nfe % 3];
  return [...new Array<number>(K - tail.length).fill(3), ...tail];
}

export interface DpmSolverNfeOptions {
  /** 'singlestep' (default, order mix of DPM-Solver-fast) or 'singlestep_fixed'. */
  method?: SinglestepMethod;
  /** Maximum (singlestep) or fixed (singlestep_fixed) order; default 3. */
  order?: number;
  /** Time spacing; default 'logSNR' (outer and inner times uniform in lambda, as OMS-DPM). */
  skipType?: SkipType;
  /** Default LINEAR_VP. */
  vp?: ContinuousVpSchedule;
  /** t_T; default vp.T = 1. */
  tStart?: number;
  /** t_0; default the schedules' rule `dpmSolverEndTime(nfe)`: 1e-4 if nfe >= 15, else 1e-3. */
  tEnd?: number;
}

/**
 * Single-model baseline steps for `nfe` NFEs, in calling order, with their evaluation times.
 *
 * logSNR (default): the K outer times are uniform in lambda over the K steps and each step's inner
 * points uniform in lambda, computed exactly as `dpmSolverSteps` computes a model schedule's times
 * (so a one-model schedule with these orders runs bit-identically). Other spacings follow the
 * reference code: outer times are the nfe-interval grid at the cumulative orders, inner times the
 * same spacing between s and t.
 */
export function dpmSolverStepsForNfe(nfe: number, options: DpmSolverNfeOptions = {}): Required<SinglestepStep>[] {
  const vp = options.vp ?? LINEAR_VP;
  const orders = singlestepOrders(nfe, options.order ?? 3, options.method ?? 'singlestep');
  const skipType = checkSkipType(options.skipType ?? 'logSNR');
  const tStart = options.tStart ?? vp.T;
  const tEnd = options.tEnd ?? dpmSolverEndTime(nfe);
  if (skipType === 'logSNR') {
    // The schedule whose groups, read from the end, have these orders (model 1 everywhere).
    const entries: number[] = [];
    for (let i = orders.length - 1; i >= 0; i--) {
      for (let j = 0; j < GROUP_SIZE; j++) entries.push(j < orders[i] ? 1 : 0);
    }
    return dpmSolverSteps(entries, { vp, tStart, tEnd }).map(({ order, s, t, times }) => ({ order, s, t, times }));
  }
  const grid = timeGrid(skipType, tStart, tEnd, nfe, vp);
  let at = 0;
  return orders.map((order) => {
    const s = grid[at];
    const t = grid[at + order];
    at += order;
    return { order, s, t, times: timeGrid(skipType, s, t, order, vp).slice(0, order) };
  });
}
